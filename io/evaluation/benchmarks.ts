import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { SprintConfig } from '../../config/schema';
import { downloadBlob } from '../hub';
import { oneOf } from '../../core/closed-set';
import {
  benchmarkNames,
  type BenchmarkRecordError,
  generateCountdown,
  parseCsv,
  parseJsonl,
  problemsFromRows,
  type BenchmarkName,
  type BenchmarkProblem,
} from '../../core/benchmarks';
import { readParquetRows } from './parquet';

export interface LoadBenchmarkOptions {
  benchmark: BenchmarkName;
  /** Local JSONL/JSON/CSV file; otherwise the Hub file of `config.evaluation.datasets` (Countdown: generated). */
  dataFile?: string;
  limit?: number;
  config: SprintConfig;
  env?: NodeJS.ProcessEnv;
  /** Injected for tests (a loopback Hub double) or proxies. */
  fetch?: typeof fetch;
  hubUrl?: string;
}

export interface LoadedBenchmark {
  problems: BenchmarkProblem[];
  /** Records that could not be used, with file:line and the reason; loading goes on without them. */
  errors: string[];
  source: string;
}

function rowsOf(
  text: string,
  source: string,
): { rows: { row: Record<string, unknown>; where: string }[]; errors: BenchmarkRecordError[] } {
  const trimmed = text.trimStart();
  if (source.endsWith('.csv')) {
    return { rows: parseCsv(text).map((row, i) => ({ row, where: `${source}:row ${i + 1}` })), errors: [] };
  }
  if (source.endsWith('.json') && trimmed.startsWith('[')) {
    const data = JSON.parse(text) as unknown;
    if (!Array.isArray(data)) throw new Error(`${source}: expected a JSON array of records`);
    return {
      rows: data.map((row, i) => ({ row: row as Record<string, unknown>, where: `${source}[${i}]` })),
      errors: [],
    };
  }
  return parseJsonl(text, source);
}

/** Downloads one dataset file from the Hub (token from the environment variable the config names). */
export async function fetchHubFile(
  opts: { repo: string; file: string; revision: string },
  config: SprintConfig,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl?: typeof fetch,
  hubUrl?: string,
): Promise<string> {
  return (await fetchHubBlob(opts, config, env, fetchImpl, hubUrl)).text();
}

/** The same download as bytes, for binary files (Parquet). */
export async function fetchHubBlob(
  opts: { repo: string; file: string; revision: string },
  config: SprintConfig,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl?: typeof fetch,
  hubUrl?: string,
): Promise<Blob> {
  const accessToken = env[config.hub.tokenEnv] || undefined;
  return downloadBlob(
    {
      hubUrl: hubUrl ?? config.hub.endpoint,
      ...(accessToken ? { accessToken } : {}),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    },
    { repo: { type: 'dataset', name: opts.repo }, path: opts.file, revision: opts.revision },
    { tokenEnv: config.hub.tokenEnv },
  );
}

const isParquet = (file: string) => file.toLowerCase().endsWith('.parquet');

type HubFile = SprintConfig['evaluation']['datasets'][keyof SprintConfig['evaluation']['datasets']];

/** The Hub file the config names for a benchmark; a benchmark without one (Countdown) needs a data file. */
function hubFileOf(config: SprintConfig, benchmark: BenchmarkName): HubFile {
  const datasets: Partial<Record<BenchmarkName, HubFile>> = config.evaluation.datasets;
  const file = datasets[benchmark];
  if (!file)
    throw new Error(`benchmark ${benchmark} has no Hub file in evaluation.datasets: give a data file`);
  return file;
}

/** Loads a benchmark from a local file, from the Hub, or (Countdown) from the seeded generator. */
export async function loadBenchmark(opts: LoadBenchmarkOptions): Promise<LoadedBenchmark> {
  const ev = opts.config.evaluation;
  // programmatic callers and workflow inputs are not checked by the types
  const benchmark = oneOf('benchmark', opts.benchmark, benchmarkNames);
  let problems: BenchmarkProblem[];
  let errors: string[] = [];
  let source: string;
  if (benchmark === 'countdown' && !opts.dataFile) {
    const cd = ev.countdown;
    problems = generateCountdown(opts.limit ?? cd.count, cd.seed, cd);
    source = `generated (seed ${cd.seed})`;
  } else {
    let parsed: ReturnType<typeof rowsOf>;
    if (opts.dataFile) {
      source = path.resolve(opts.dataFile);
      let bytes: Buffer;
      try {
        bytes = await fsp.readFile(source);
      } catch (err) {
        throw new Error(`cannot read benchmark file ${source}: ${(err as Error).message}`);
      }
      parsed = isParquet(source)
        ? { rows: await readParquetRows(new Uint8Array(bytes).buffer, source), errors: [] }
        : rowsOf(bytes.toString('utf8'), source);
    } else {
      const hub = hubFileOf(opts.config, benchmark);
      source = `hf://datasets/${hub.repo}@${hub.revision}/${hub.file}`;
      const blob = await fetchHubBlob(hub, opts.config, opts.env, opts.fetch, opts.hubUrl);
      parsed = isParquet(hub.file)
        ? { rows: await readParquetRows(await blob.arrayBuffer(), source), errors: [] }
        : rowsOf(await blob.text(), hub.file);
    }
    const made = problemsFromRows(benchmark, parsed.rows, {
      seed: ev.gpqaSeed,
      requireIntegerDivision: ev.countdown.requireIntegerDivision,
    });
    problems = made.problems;
    errors = [...parsed.errors, ...made.errors].map((e) => e.message);
  }
  if (opts.limit !== undefined) problems = problems.slice(0, opts.limit);
  if (!problems.length) {
    throw new Error(
      `benchmark ${benchmark} from ${source} has no usable problems${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}`,
    );
  }
  return { problems, errors, source };
}
