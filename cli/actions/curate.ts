import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import type { CurationSettings, CurationSource } from '../../activities/curation';
import { runPriorityParts, type SprintConfig } from '../../config';
import { PackingError, type Component, type Dag } from '../../core/packing';
import { ComponentInputError, parseComponentsJson } from '../../core/curation/component-input';
import { DagInputError, normalizeDag } from '../../core/packing/dag-input';
import { parseColumnMap, type ColumnMap } from '../../io/curation/trace-rows';
import { packSummary, type PackSummary } from './curate-import';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { curationWorkflow } from '../../workflows';
import type { CurationInput, CurationProgress, CurationResult } from '../../workflows/curation';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { tracedCommand } from '../command-trace';
import { CliError, ExitCode } from '../exit-codes';
import { followWorkflow, queryPoll, startInProcessWorkers } from '../in-process';
import { controlQueue, curationQueue } from '../../config/queues';
import { failureMessage } from '../../core/failure-message';
import { isHubRepoId } from '../../core/hub-repo-id';
import type { ExtractorKind, SampleFormat } from '../../core/curation/names';

interface CurateOptions {
  input?: string;
  hub?: string;
  generate?: string;
  out?: string;
  /** Checked by commander (the option's choices). */
  extractor?: ExtractorKind;
  limit?: string;
  concurrency?: string;
  runKey?: string;
  dataset?: string;
  withWorkers?: boolean;
  push?: string;
  columns?: string;
  json?: boolean;
}

function columnsOf(spec: string | undefined): { columns?: ColumnMap } {
  if (spec === undefined) return {};
  try {
    return { columns: parseColumnMap(spec) };
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.usage);
  }
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag} must be a positive integer (got "${value}")`, ExitCode.usage);
  return n;
}

function sourceOf(opts: CurateOptions): CurationSource {
  const given = [opts.input, opts.hub, opts.generate].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new CliError(
      'give exactly one of --input FILE, --hub OWNER/NAME[:PATH] or --generate N',
      ExitCode.usage,
    );
  if (opts.input) {
    const file = path.resolve(opts.input);
    if (!fs.existsSync(file)) throw new CliError(`input file ${file} does not exist`, ExitCode.usage);
    return { kind: 'file', path: file, ...columnsOf(opts.columns) };
  }
  if (opts.hub) {
    const [repo, ...rest] = opts.hub.split(':');
    if (!repo || !isHubRepoId(repo))
      throw new CliError(`--hub expects OWNER/NAME[:PATH] (got "${opts.hub}")`, ExitCode.usage);
    return {
      kind: 'hub',
      repo,
      ...(rest.length ? { path: rest.join(':') } : {}),
      ...columnsOf(opts.columns),
    };
  }
  return { kind: 'generate', count: positiveInt(opts.generate, '--generate')!, seed: 1 };
}

function settingsFrom(config: SprintConfig, opts: CurateOptions): CurationSettings {
  const extractor = opts.extractor ?? config.curation.extractor;
  const concurrency = positiveInt(opts.concurrency, '--concurrency') ?? config.curation.concurrency;
  return { ...config.curation, extractor, concurrency };
}

function summary(result: CurationResult): string {
  const c = result.counts;
  const s = result.stats;
  return [
    `dataset:   ${result.datasetDir}`,
    `traces:    ${c.traces} (input lines ${c.inputLines}, ${c.inputRejects} rejected lines: see rejects.jsonl)`,
    `kept:      ${c.kept} (${(s.keptFraction * 100).toFixed(1)}%), rejected ${c.rejected}, failed ${c.failed}`,
    `split:     ${c.train} train / ${c.test} test`,
    `ratio:     mean ${s.ratio.meanAll.toFixed(2)} (kept ${s.ratio.meanKept.toFixed(2)}), stages (kept) ${s.stages.meanKept.toFixed(2)}`,
    `reasons:   ${
      Object.entries(s.reasons)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || 'none'
    }`,
    `model:     ${result.tokens} tokens, estimated $${result.costUsd.toFixed(4)}; reused ${result.reused} finished traces`,
    `report:    ${path.join(result.datasetDir, 'report.md')}`,
    ...(result.hub
      ? [
          `pushed:    ${result.hub.location} (${result.hub.uploaded.length} files uploaded, ${result.hub.unchanged.length} unchanged)`,
        ]
      : []),
  ].join('\n');
}

/** `sprint curate`: runs the curation workflow and shows its progress. */
export async function runCurate(opts: CurateOptions, cmd: Command): Promise<void> {
  if (!opts.out) throw new CliError('--out DIR is required', ExitCode.usage);
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const source = sourceOf(opts);
  const settings = settingsFrom(config, opts);
  const limit = positiveInt(opts.limit, '--limit');
  const outDir = path.resolve(opts.out);
  const workflowId = `curate-${opts.runKey ?? new Date().toISOString().replace(/[:.]/g, '-')}`;
  const input: CurationInput = {
    source,
    outDir,
    taskQueue: curationQueue(config),
    settings,
    ...(limit !== undefined ? { limit } : {}),
    ...(opts.dataset ? { dataset: opts.dataset } : {}),
    ...(opts.runKey ? { runKey: opts.runKey } : {}),
    ...(opts.push ? { pushToHub: { repo: opts.push } } : {}),
    ...runPriorityParts(config, { command: 'curate', runId: workflowId }).input,
  };
  await tracedCommand(config, 'curate', { 'sprint.extractor': settings.extractor }, async () => {
    const client = await clientFor(config);
    const workers = opts.withWorkers
      ? await startInProcessWorkers(config, [{ role: 'control' }, { role: 'curation' }])
      : undefined;
    try {
      const handle = await client.workflow.start(curationWorkflow, {
        taskQueue: controlQueue(config),
        workflowId,
        args: [input],
        staticSummary: `curate ${source.kind === 'file' ? path.basename(source.path) : source.kind === 'hub' ? source.repo : `${source.count} generated traces`} -> ${outDir} (${settings.extractor})`,
      });
      if (!opts.json) console.error(`curation ${workflowId} started: ${uiLink(config, workflowId)}`);
      // cli-progress: small, widely used, redraws one line on a TTY; off when stderr is not a terminal.
      const bar =
        !opts.json && process.stderr.isTTY
          ? new SingleBar(
              {
                format:
                  'curating [{bar}] {value}/{total} traces | kept {kept} | rejected {rejected} | failed {failed} | {phase}',
                stream: process.stderr,
                hideCursor: true,
              },
              undefined,
            )
          : undefined;
      let started = false;
      let lastLogged = -1;
      const showProgress = queryPoll(handle, 'progress', (p: CurationProgress) => {
        if (bar) {
          if (!started && p.total) {
            bar.start(p.total, p.done, p);
            started = true;
          } else if (started) bar.update(p.done, p);
        } else if (!opts.json && p.total && Math.floor((10 * p.done) / p.total) > lastLogged) {
          lastLogged = Math.floor((10 * p.done) / p.total);
          console.error(
            `curating: ${p.done}/${p.total} traces (kept ${p.kept}, rejected ${p.rejected}, failed ${p.failed})`,
          );
        }
      });
      let result: CurationResult;
      try {
        result = await followWorkflow<CurationResult>(handle, 500, showProgress);
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          throw new CliError(`curation failed: ${failureMessage(err)}`, ExitCode.failed);
        }
        throw err;
      } finally {
        if (started) {
          bar?.update(bar.getTotal());
          bar?.stop();
        }
      }
      console.log(opts.json ? JSON.stringify(result, null, 2) : summary(result));
    } finally {
      await workers?.stop();
    }
  });
}

function readJsonFile<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** `sprint curate pack`: packs one extracted trace and prints its stages (no Temporal). */
export function runCuratePack(_opts: unknown, cmd: Command): void {
  // Options shared with the parent (--json) are parsed by `curate`: read them merged.
  const opts = cmd.optsWithGlobals<{
    components: string;
    dag: string;
    threshold: string;
    minRatio: string;
    maxStages: string;
    render?: boolean;
    format: SampleFormat;
    json?: boolean;
  }>();
  let components: Component[];
  let dag: Dag;
  try {
    components = parseComponentsJson(readJsonFile(opts.components, 'components'), opts.components);
    dag = normalizeDag(readJsonFile(opts.dag, 'DAG'), opts.dag);
  } catch (err) {
    if (err instanceof ComponentInputError || err instanceof DagInputError)
      throw new CliError(err.message, ExitCode.usage);
    throw err;
  }
  const packing = {
    shortExecutionThreshold: Number(opts.threshold),
    minRatio: Number(opts.minRatio),
    maxStages: Number(opts.maxStages),
  };
  let summary: PackSummary;
  try {
    summary = packSummary(components, dag, packing, opts.format);
  } catch (err) {
    if (err instanceof PackingError) throw new CliError(`invalid DAG: ${err.message}`, ExitCode.failed);
    throw err;
  }
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  for (const line of summary.problems) console.error(`note: ${line}`);
  for (const s of summary.stages) {
    const execs = s.executions.map((e) => `${e.label}=#${e.componentId}`).join(' ');
    console.log(
      `stage ${s.index}: components ${s.componentIds.join(', ')}${execs ? ` | executions ${execs}` : ' | plan only'}`,
    );
  }
  console.log(
    `ratio ${summary.ratio.toFixed(3)} (${summary.executingComponents} executing / ${summary.stages.length} stages): ${summary.kept ? 'kept' : `rejected (${summary.reason})`}`,
  );
  if (opts.render) console.log(`\n${summary.rendered}`);
}

/** `sprint curate generate`: writes seeded Countdown traces (no Temporal). */
export function runCurateGenerate(_opts: unknown, cmd: Command): void {
  // --out is shared with the parent `curate`, which parses it: read the options merged.
  const opts = cmd.optsWithGlobals<{ count: string; out?: string; seed: string }>();
  if (!opts.out) throw new CliError('--out FILE is required', ExitCode.usage);
  const count = positiveInt(opts.count, '--count')!;
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed))
    throw new CliError(`--seed must be an integer (got "${opts.seed}")`, ExitCode.usage);
  const traces = generateCountdownTraces(count, seed);
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(
    opts.out,
    traces
      .map(({ id, question, trace, solution, answer }) =>
        JSON.stringify({ id, question, trace, solution, answer }),
      )
      .join('\n') + '\n',
  );
  console.log(`wrote ${count} traces to ${path.resolve(opts.out)}`);
}
