import * as path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { servedPoolRoute, runPriorityParts, type SprintConfig } from '../../config';
import { tinyMaxLength } from '../../config/tiny-training';
import type { BenchmarkName } from '../../core/benchmarks';
import type { ExtractorKind } from '../../core/curation/names';
import type { MethodName } from '../../core/method-result';
import type { LauncherKind } from '../../core/training';
import type { CountdownTraceShape } from '../../core/traces/countdown';
import type { TrainingProgress } from '../../io/training/types';
import { describeProgress } from '../../io/training/events';
import {
  pipelineWorkflow,
  pipelineStages,
  type PipelineInput,
  type PipelineProgress,
  type PipelineResult,
  type PipelineStage,
} from '../../workflows/pipeline';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { tracedCommand } from '../command-trace';
import { CliError, ExitCode } from '../exit-codes';
import { followWorkflow, queryPoll } from '../in-process';
import { methodSettings } from './eval';
import { controlQueue, curationQueue, trainingQueue } from '../../config/queues';
import { failureMessage } from '../../core/failure-message';
import { isHubRepoId } from '../../core/hub-repo-id';
import { comparisonMarkdown, comparisonRow } from '../../core/evaluation/comparison';
import { runComparedPipelines, sequentialComparisonInput, type CompareMethod } from './pipeline-compare';

export interface PipelineOptions {
  id?: string;
  traces?: string;
  generate?: string;
  /** Checked by commander (the options' choices), as are `launcher`, `benchmark` and `method`. */
  extractor?: ExtractorKind;
  dataset?: string;
  model?: string;
  tiny?: boolean;
  launcher?: LauncherKind;
  maxSteps?: string;
  repo?: string;
  benchmark?: BenchmarkName;
  method?: MethodName;
  limit?: string;
  pool?: string;
  out?: string;
  skip?: string[];
  /** Built-model shape for tiny/demo runs (Qwen2Config fields). */
  modelConfig?: Record<string, unknown>;
  /** With `generate`: the problem size, the seed, and asking with the benchmark's question (the demo). */
  traceShape?: CountdownTraceShape;
  generateSeed?: number;
  benchmarkQuestion?: boolean;
  /** With `generate`: problems (numbers and target) no generated trace may have (held-out evaluation). */
  excludeProblems?: { nums: number[]; target: number }[];
}

const posInt = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag}: expected a positive integer, got "${v}"`, ExitCode.usage);
  return n;
};

/** The pipeline's workflow input from config and flags (secret-free). */
export function buildPipelineInput(config: SprintConfig, opts: PipelineOptions): PipelineInput {
  const id = opts.id ?? `pipeline-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  if (!/^[\w.-]+$/.test(id))
    throw new CliError(`--id must be letters, digits, . _ - (got "${id}")`, ExitCode.usage);
  const skip = (opts.skip ?? []) as PipelineStage[];
  for (const s of skip) {
    if (!pipelineStages.includes(s))
      throw new CliError(`--skip: one of ${pipelineStages.join(', ')} (got "${s}")`, ExitCode.usage);
  }
  const out = path.resolve(opts.out ?? path.join('.sprint', 'pipelines', id));
  const input: PipelineInput = { pipelineId: id, skip };

  if (!skip.includes('curate')) {
    const extractor = opts.extractor ?? config.curation.extractor;
    const count = posInt(opts.generate, '--generate');
    if (!opts.traces && !count)
      throw new CliError(
        'give --traces FILE or --generate N (or --skip curate --dataset DIR)',
        ExitCode.usage,
      );
    input.curate = {
      source: opts.traces
        ? { kind: 'file', path: path.resolve(opts.traces) }
        : {
            kind: 'generate',
            count: count!,
            seed: opts.generateSeed ?? 1,
            ...(opts.traceShape ? { shape: opts.traceShape } : {}),
            ...(opts.benchmarkQuestion ? { benchmarkQuestion: true } : {}),
            ...(opts.excludeProblems ? { exclude: opts.excludeProblems } : {}),
          },
      outDir: path.join(out, 'dataset'),
      taskQueue: curationQueue(config),
      settings: { ...config.curation, extractor },
      runKey: `${id}-curate`,
      ...runPriorityParts(config, { command: 'pipeline', runId: id }).input,
    };
  } else if (opts.dataset) {
    input.datasetDir = path.resolve(opts.dataset);
  }

  if (!skip.includes('train')) {
    const launcher = opts.launcher ?? config.training.launcher;
    const maxSteps = posInt(opts.maxSteps, '--max-steps');
    const maxLength = opts.tiny && !opts.modelConfig ? tinyMaxLength(config) : undefined;
    input.train = {
      taskQueue: trainingQueue(config),
      launcher,
      tiny: Boolean(opts.tiny) && !opts.modelConfig,
      ...(opts.modelConfig ? { modelConfig: opts.modelConfig } : {}),
      ...(opts.tiny || opts.modelConfig ? { profile: 'cpu' as const } : {}),
      ...(opts.model ? { baseModel: opts.model } : {}),
      hyperparameters: { ...(maxSteps ? { maxSteps } : {}), ...(maxLength ? { maxLength } : {}) },
      heartbeatTimeoutMs: config.training.heartbeatTimeoutMs,
    };
  } else if (opts.model) {
    input.modelDir = path.resolve(opts.model);
  }

  if (!skip.includes('publish')) {
    const repo = opts.repo ?? `sprint/${id}`;
    if (!isHubRepoId(repo)) throw new CliError(`--repo: namespace/name (got "${repo}")`, ExitCode.usage);
    input.publish = { taskQueue: trainingQueue(config), repo, private: config.hub.private };
  }

  if (!skip.includes('evaluate')) {
    const benchmark = opts.benchmark ?? 'countdown';
    const method = opts.method ?? 'sprint';
    const pool = opts.pool ?? config.evaluation.pool ?? config.models.roles.planner;
    if (!config.models.pools[pool])
      throw new CliError(`pool "${pool}" is not configured (models.pools)`, ExitCode.usage);
    const limit = posInt(opts.limit, '--limit');
    input.evaluate = {
      evalId: `${id}-${benchmark}-${method}`,
      benchmark,
      method,
      pool,
      model: config.models.pools[pool].model,
      ...(limit ? { limit } : {}),
      outDir: path.join(out, 'eval'),
      concurrency: config.evaluation.concurrency,
      settings: methodSettings(config, method),
      // Every method needs it: queue names carry the deployment prefix, which only the config knows.
      routing: { planner: servedPoolRoute(config, pool), executor: servedPoolRoute(config, pool) },
      // Batch, one fairness key for the whole pipeline: its curation and evaluation share one share.
      ...runPriorityParts(config, { command: 'pipeline', runId: id }).input,
    };
  }
  return input;
}

/** Starts (or attaches to) a pipeline and prints its stages and the training progress as they move. */
export async function runPipeline(
  client: Client,
  config: SprintConfig,
  input: PipelineInput,
  log: (line: string) => void = (l) => console.error(l),
  /** Called once per stage state change (the demo starts its engine when publish is done). */
  onStage?: (stage: PipelineStage, state: PipelineProgress['stages'][PipelineStage]['state']) => void,
): Promise<PipelineResult> {
  const handle = await client.workflow.start(pipelineWorkflow, {
    taskQueue: controlQueue(config),
    workflowId: input.pipelineId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `pipeline ${input.pipelineId}`,
  });
  log(`pipeline ${input.pipelineId}: ${uiLink(config, input.pipelineId)}`);
  const seen = new Map<string, string>();
  let lastTrain = '';
  // Stages as they change, and the training child's progress while it runs.
  const showProgress = queryPoll(handle, 'progress', async (p: PipelineProgress) => {
    for (const [stage, s] of Object.entries(p.stages)) {
      if (seen.get(stage) === s.state) continue;
      seen.set(stage, s.state);
      onStage?.(stage as PipelineStage, s.state);
      if (s.state !== 'pending')
        log(`  ${stage.padEnd(9)} ${s.state.padEnd(9)} ${uiLink(config, s.workflowId)}`);
    }
    if (p.stages.train.state === 'running') {
      const t = await client.workflow
        .getHandle(p.stages.train.workflowId)
        .query<TrainingProgress>('progress');
      const line = describeProgress(t);
      if (line !== lastTrain) log(`  train     ${(lastTrain = line)}`);
    }
  });
  try {
    return await followWorkflow<PipelineResult>(handle, 2000, showProgress);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      throw new CliError(`pipeline ${input.pipelineId} failed: ${failureMessage(err)}`, ExitCode.failed);
    }
    throw err;
  }
}

export function formatPipelineResult(r: PipelineResult): string {
  const lines = [`pipeline ${r.pipelineId}${r.reused.length ? ` (reused: ${r.reused.join(', ')})` : ''}`];
  if (r.curation)
    lines.push(
      `  dataset:  ${r.curation.datasetDir} (${r.curation.counts.kept} kept of ${r.curation.counts.traces} traces)`,
    );
  else if (r.datasetDir) lines.push(`  dataset:  ${r.datasetDir}`);
  if (r.training) {
    const t = r.training;
    lines.push(
      `  model:    ${t.modelDir} (${t.steps} steps, train loss ${t.trainLoss?.toFixed(3) ?? '?'}, best eval ${t.bestEvalLoss?.toFixed(3) ?? '-'})`,
    );
  }
  const pub = r.cardUpdate ?? r.publish;
  if (pub) lines.push(`  publish:  ${pub.location} (${pub.target}${pub.committed ? '' : ', unchanged'})`);
  if (r.evaluation) {
    const s = r.evaluation.summary;
    lines.push(
      `  eval:     ${s.method} on ${s.benchmark}: ${s.correct}/${s.problems} correct, mean sequential tokens ${s.tokens.meanSequential} -> ${r.evaluation.outDir}`,
    );
  }
  return lines.join('\n');
}

/** `sprint pipeline`: the whole pipeline, stage by stage. */
export async function runPipelineCommand(
  opts: PipelineOptions & {
    json?: boolean;
    compare?: CompareMethod;
    comparePool?: string;
    compareRepo?: string;
  },
  cmd: Command,
): Promise<void> {
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const input = buildPipelineInput(config, opts);
  await tracedCommand(config, 'pipeline', {}, async () => {
    if (opts.compare) {
      // The sequential control beside it (docs/demo.md#at-full-scale): same traces, steps, problems.
      const control = sequentialComparisonInput(config, input, {
        ...(opts.comparePool ? { pool: opts.comparePool } : {}),
        ...(opts.compareRepo ? { repo: opts.compareRepo } : {}),
      });
      const client = await clientFor(config);
      const both = await runComparedPipelines(runPipeline, client, config, input, control, (l) =>
        console.error(l),
      );
      if (opts.json) console.log(JSON.stringify(both, null, 2));
      else {
        console.log(formatPipelineResult(both.sprint));
        console.log(formatPipelineResult(both.sequential));
        const rows = [both.sprint, both.sequential].flatMap((r) =>
          r.evaluation ? [comparisonRow(r.evaluation.summary.method, r.evaluation.summary)] : [],
        );
        if (rows.length) console.log(comparisonMarkdown(rows));
      }
      return;
    }
    const client = await clientFor(config);
    const result = await runPipeline(client, config, input);
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatPipelineResult(result));
  });
}
