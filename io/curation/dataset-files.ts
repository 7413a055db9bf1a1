import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { servingShapeRecords } from '../../core/curation/call-samples';
import type { ServingCallsLoss } from '../../core/curation/names';
import { splitTrainTest, type TrainingRecord } from '../../core/curation/render';
import type { ExecutorStrategy } from '../../core/format';
import { renderReport, reportCharts, type CurationStats } from '../../core/curation/report';

/*
 * The files of a curated dataset folder, written the same way by `sprint curate` and
 * `sprint curate import`: the sprint/ and rft/ splits, stats.json, report.md and its charts. Each
 * writer adds the paths it wrote (relative to the folder) to `files`.
 */

export async function writeJsonl(file: string, rows: unknown[]): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

export interface KeptSample {
  id: string;
  sprint: TrainingRecord;
  rft: TrainingRecord;
}

/**
 * Splits the kept samples by id (seeded) and writes {sprint,rft}/{train,test}.jsonl. With
 * `servingCalls` the SPRINT split also holds, per trajectory, a record for each model call the
 * trajectory does not show as a session with that executor strategy serves it
 * (core/curation/call-samples.ts); the split is by trace either way, so a trace's records never
 * straddle train and test.
 */
export async function writeSplits(
  out: string,
  kept: readonly KeptSample[],
  settings: Pick<CurationStats['settings'], 'splitSeed' | 'testFraction'> & {
    servingCalls?: ExecutorStrategy | undefined;
    servingCallsLoss?: ServingCallsLoss | undefined;
  },
  files: string[],
): Promise<{ train: number; test: number }> {
  const strategy = settings.servingCalls;
  const records = (d: KeptSample, set: 'sprint' | 'rft'): TrainingRecord[] =>
    set === 'sprint' && strategy
      ? servingShapeRecords(d.sprint, strategy, settings.servingCallsLoss)
      : [d[set]];
  const split = splitTrainTest(
    kept.map((d) => d.id),
    settings.splitSeed,
    settings.testFraction,
  );
  for (const set of ['sprint', 'rft'] as const) {
    for (const part of ['train', 'test'] as const) {
      const ids = split[part];
      const rel = `${set}/${part}.jsonl`;
      await writeJsonl(
        path.join(out, rel),
        kept.filter((d) => ids.has(d.id)).flatMap((d) => records(d, set)),
      );
      files.push(rel);
    }
  }
  return { train: split.train.size, test: split.test.size };
}

/** The curation settings that stats.json and the report state. */
export function reportedSettings(settings: CurationStats['settings']): CurationStats['settings'] {
  return {
    minRatio: settings.minRatio,
    maxStages: settings.maxStages,
    shortExecutionThreshold: settings.shortExecutionThreshold,
    testFraction: settings.testFraction,
    splitSeed: settings.splitSeed,
    maxSampleTokens: settings.maxSampleTokens,
  };
}

/** stats.json, report.md (titled `title`) and the charts it shows. */
export async function writeReport(
  out: string,
  stats: CurationStats,
  title: string | undefined,
  files: string[],
): Promise<void> {
  await fsp.writeFile(path.join(out, 'stats.json'), JSON.stringify(stats, null, 2));
  const charts = reportCharts(stats);
  const chartFiles = {
    ratio: 'charts/ratio.svg',
    stages: 'charts/stages.svg',
    outcomes: 'charts/outcomes.svg',
  };
  await fsp.mkdir(path.join(out, 'charts'), { recursive: true });
  for (const k of Object.keys(chartFiles) as (keyof typeof chartFiles)[])
    await fsp.writeFile(path.join(out, chartFiles[k]), charts[k]);
  await fsp.writeFile(path.join(out, 'report.md'), renderReport(stats, chartFiles, title));
  files.push('stats.json', 'report.md', ...Object.values(chartFiles));
}
