/*
 * `sprint curate import`: curate from the released SPRINT pipeline's own outputs, so extractions
 * already paid for are not paid again. Reads
 *   - SEPARATIONS/component_separation_<i>.txt (markdown components, core/curation/released-separation.ts),
 *   - DAGS/created_dag_<i>.json (parent maps; integer or string ids),
 *   - TRACES: the dataset rows the extraction ran on, in the same order (JSONL or Parquet; row i,
 *     counted from 0 over non-empty rows, is problem i), in any shape io/curation/input.ts reads.
 * Line numbers in the separations refer to the trace split by the released sentence rule
 * (core/curation/released-lines.ts), applied to the row's thought (the text between
 * <|begin_of_thought|> and <|end_of_thought|>, or <think>...</think>, stripped).
 *
 * Writes the dataset folder like `sprint curate` (sprint/ and rft/ splits, outcomes.jsonl,
 * stats.json, report.md) plus trajectories/trajectory_data_<i>.txt for kept problems, in the
 * released trajectory file layout. A problem whose files are missing or malformed is recorded as
 * failed with the reason; the rest goes on.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { releasedTraceLines } from '../../core/curation/released-lines';
import { renderReleasedTrajectory } from '../../core/curation/released-render';
import {
  parseSeparation,
  separationComponents,
  SeparationError,
} from '../../core/curation/released-separation';
import type { TrainingRecord } from '../../core/curation/render';
import { computeStats, type CurationStats, type TraceOutcome } from '../../core/curation/report';
import { buildSamples, type SampleSettings } from '../../core/curation/sample';
import { DagInputError, parseDagText } from '../../core/packing/dag-input';
import { packReleased } from '../../core/packing/released';
import { reportedSettings, writeJsonl, writeReport, writeSplits } from './dataset-files';
import { readTraceRows, type ColumnMap } from './trace-rows';
import { toTraceRecord } from './input';

export interface ReleasedImportInput {
  separationsDir: string;
  dagsDir: string;
  tracesFile: string;
  outDir: string;
  settings: Omit<SampleSettings, 'format'> & { testFraction: number; splitSeed: number };
  /** Keep the extractor's comments as observations (the released samples have none). */
  keepComments?: boolean;
  limit?: number;
  columns?: ColumnMap;
}

export interface ReleasedImportResult {
  outDir: string;
  stats: CurationStats;
  files: string[];
}

interface ImportDoc extends TraceOutcome {
  index: number;
  detail?: string;
  problems?: string[];
  sprint?: TrainingRecord;
  rft?: TrainingRecord;
  trajectory?: string;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Problem indexes that have a separation file, in numeric order. */
async function separationIndexes(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    throw new Error(
      `cannot read separations folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return names
    .map((n) => /^component_separation_(\d+)\.txt$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

const zeroUsage = { promptTokens: 0, completionTokens: 0, costUsd: 0, repairs: 0 };

export async function importReleased(input: ReleasedImportInput): Promise<ReleasedImportResult> {
  const rows = await readTraceRows(input.tracesFile, input.columns);
  let indexes = await separationIndexes(input.separationsDir);
  if (!indexes.length) throw new Error(`${input.separationsDir} has no component_separation_<i>.txt files`);
  if (input.limit !== undefined) indexes = indexes.slice(0, input.limit);
  const settings: SampleSettings = { ...input.settings, format: 'released' };
  const docs: ImportDoc[] = [];
  for (const i of indexes) {
    const sepFile = path.join(input.separationsDir, `component_separation_${i}.txt`);
    const dagFile = path.join(input.dagsDir, `created_dag_${i}.json`);
    const base = {
      index: i,
      id: `problem-${i}`,
      ratio: 0,
      stages: 0,
      components: 0,
      executing: 0,
      ...zeroUsage,
    };
    const fail = (reason: string, detail: string): ImportDoc => ({
      ...base,
      status: 'failed',
      reason,
      detail,
    });
    const row = rows.rows[i];
    if (!row) {
      docs.push(fail('no-trace', `${input.tracesFile} has no row ${i} (rows are counted from 0)`));
      continue;
    }
    if (row.error !== undefined) {
      docs.push(fail('bad-trace', `${input.tracesFile} ${row.where}: ${row.error}`));
      continue;
    }
    let trace;
    try {
      trace = toTraceRecord(row.value, `problem-${i}`);
    } catch (err) {
      docs.push(fail('bad-trace', `${input.tracesFile} row ${i} (${row.where}): ${(err as Error).message}`));
      continue;
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(trace.id)) trace.id = `problem-${i}`;
    const dagText = await readIfExists(dagFile);
    if (dagText === undefined) {
      docs.push(fail('no-dag', `${dagFile} does not exist`));
      continue;
    }
    let components;
    let dag;
    let problems: string[];
    try {
      const parsed = parseSeparation(await fsp.readFile(sepFile, 'utf8'), path.basename(sepFile));
      problems = parsed.problems;
      const lines = releasedTraceLines(trace.trace);
      components = separationComponents(parsed.components, lines, {
        keepComments: input.keepComments ?? false,
        where: path.basename(sepFile),
      });
      dag = parseDagText(dagText, path.basename(dagFile));
    } catch (err) {
      if (err instanceof SeparationError) docs.push(fail('invalid-separation', err.message));
      else if (err instanceof DagInputError) docs.push(fail('invalid-dag', err.message));
      else throw err;
      continue;
    }
    const sample = buildSamples(trace, components, dag, settings);
    const allProblems = [...problems, ...sample.problems];
    const { problems: _unused, ...outcome } = sample;
    const doc: ImportDoc = {
      ...base,
      id: trace.id,
      ...outcome,
      ...(allProblems.length ? { problems: allProblems } : {}),
    };
    if (sample.status === 'kept')
      doc.trajectory = renderReleasedTrajectory(
        trace.question,
        packReleased(components, dag, settings),
        trace.solution,
      );
    docs.push(doc);
  }
  return writeImport(input, docs, rows.rejects.length, rows.rows.length);
}

async function writeImport(
  input: ReleasedImportInput,
  docs: ImportDoc[],
  inputRejects: number,
  inputLines: number,
): Promise<ReleasedImportResult> {
  const out = input.outDir;
  const kept = docs.flatMap((d) =>
    d.status === 'kept' && d.sprint && d.rft ? [{ ...d, sprint: d.sprint, rft: d.rft }] : [],
  );
  const files: string[] = [];
  const split = await writeSplits(out, kept, input.settings, files);
  files.push('outcomes.jsonl');
  await writeJsonl(
    path.join(out, 'outcomes.jsonl'),
    docs.map(({ sprint: _s, rft: _r, trajectory: _t, ...rest }) => rest),
  );
  for (const d of kept) {
    const rel = `trajectories/trajectory_data_${d.index}.txt`;
    await fsp.mkdir(path.join(out, 'trajectories'), { recursive: true });
    await fsp.writeFile(path.join(out, rel), d.trajectory!);
    files.push(rel);
  }
  const stats = computeStats(docs, {
    extractor: 'released-import',
    format: 'released',
    inputLines,
    inputRejects,
    train: split.train,
    test: split.test,
    settings: reportedSettings(input.settings),
  });
  await writeReport(out, stats, 'Import of released SPRINT extractions', files);
  return { outDir: path.resolve(out), stats, files: files.sort() };
}
