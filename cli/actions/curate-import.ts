/*
 * `sprint curate import` (curation from the released SPRINT pipeline's own extraction outputs) and
 * the packing summary `sprint curate pack` prints, in either sample layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { renderReleasedStages } from '../../core/curation/released-render';
import { renderStagesTrajectory } from '../../core/curation/render';
import type { SampleFormat } from '../../core/curation/names';
import { pack, type Component, type Dag, type PackingOptions } from '../../core/packing';
import { packReleased } from '../../core/packing/released';
import { importReleased } from '../../io/curation/released-import';
import { parseColumnMap } from '../../io/curation/trace-rows';
import { readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';

export interface PackSummary {
  format: SampleFormat;
  stages: { index: number; componentIds: number[]; executions: { label: string; componentId: number }[] }[];
  executingComponents: number;
  ratio: number;
  kept: boolean;
  reason?: string;
  problems: string[];
  /** The stages in the tag format (the final answer is a placeholder: no solution is given). */
  rendered: string;
}

/** Packs one extracted trace in the given layout; PackingError propagates. */
export function packSummary(
  components: Component[],
  dag: Dag,
  packing: PackingOptions,
  format: SampleFormat,
): PackSummary {
  if (format === 'released') {
    const r = packReleased(components, dag, packing);
    return {
      format,
      stages: r.stages.map((s) => ({
        index: s.index,
        componentIds: s.componentIds,
        executions: s.componentIds
          .filter((id) => r.nodes.get(id)!.label !== null)
          .map((id) => ({ label: r.nodes.get(id)!.label!, componentId: id })),
      })),
      executingComponents: r.executingComponents,
      ratio: r.ratio,
      kept: r.kept,
      ...(r.reason ? { reason: r.reason } : {}),
      problems: [
        ...(r.excluded.length
          ? [`components absent from the DAG take no part: ${r.excluded.join(', ')}`]
          : []),
        ...r.problems,
      ],
      rendered: renderReleasedStages(r).replace(/^\n/, ''),
    };
  }
  const r = pack(components, dag, packing);
  return {
    format,
    stages: r.stages.map((s) => ({
      index: s.index,
      componentIds: s.componentIds,
      executions: s.executions.map((e) => ({ label: e.label, componentId: e.componentId })),
    })),
    executingComponents: r.executingComponents,
    ratio: r.ratio,
    kept: r.kept,
    ...(r.reason ? { reason: r.reason } : {}),
    problems: [],
    rendered: renderStagesTrajectory(r.stages, '(final answer from the solution)'),
  };
}

function folder(dir: string, flag: string): string {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory())
    throw new CliError(`${flag} ${abs} is not a folder`, ExitCode.usage);
  return abs;
}

/** `sprint curate import`: curates from the released pipeline's separations and DAGs (no Temporal). */
export async function runCurateImport(_opts: unknown, cmd: Command): Promise<void> {
  // --out, --limit and --json are options of `curate` too: read them merged.
  const opts = cmd.optsWithGlobals<
    GlobalOptions & {
      separations: string;
      dags: string;
      traces: string;
      out?: string;
      limit?: string;
      keepComments?: boolean;
      columns?: string;
      json?: boolean;
    }
  >();
  if (!opts.out) throw new CliError('--out DIR is required', ExitCode.usage);
  const tracesFile = path.resolve(opts.traces);
  if (!fs.existsSync(tracesFile)) throw new CliError(`--traces ${tracesFile} does not exist`, ExitCode.usage);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
    throw new CliError(`--limit must be a positive integer (got "${opts.limit}")`, ExitCode.usage);
  let columns;
  try {
    columns = opts.columns ? parseColumnMap(opts.columns) : undefined;
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.usage);
  }
  const c = readConfig(opts).curation;
  const result = await importReleased({
    separationsDir: folder(opts.separations, '--separations'),
    dagsDir: folder(opts.dags, '--dags'),
    tracesFile,
    outDir: path.resolve(opts.out),
    settings: {
      shortExecutionThreshold: c.shortExecutionThreshold,
      minRatio: c.minRatio,
      maxStages: c.maxStages,
      maxSampleTokens: c.maxSampleTokens,
      testFraction: c.testFraction,
      splitSeed: c.splitSeed,
      system: c.system,
      rftSystem: c.rftSystem,
      promptTemplate: c.promptTemplate,
    },
    keepComments: opts.keepComments ?? false,
    ...(limit !== undefined ? { limit } : {}),
    ...(columns ? { columns } : {}),
  }).catch((err: unknown) => {
    throw new CliError((err as Error).message, ExitCode.usage);
  });
  const s = result.stats;
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else
    console.log(
      [
        `dataset:  ${result.outDir}`,
        `problems: ${s.traces}: kept ${s.kept}, rejected ${s.rejected} (${s.tooLong} too long), failed ${s.failed}`,
        `split:    ${s.train} train / ${s.test} test`,
        `reasons:  ${
          Object.entries(s.reasons)
            .map(([r, n]) => `${r} ${n}`)
            .join(', ') || 'none'
        }`,
        `report:   ${path.join(result.outDir, 'report.md')}`,
      ].join('\n'),
    );
}
