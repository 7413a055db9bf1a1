import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { poolRoute, type SprintConfig } from '../../config';
import type {
  PipelineInput,
  PipelineProgress,
  PipelineResult,
  PipelineStage,
} from '../../workflows/pipeline';
import { CliError, ExitCode } from '../exit-codes';
import { methodSettings } from './eval';

export type { CompareMethod } from '../compare-methods';

type StageState = PipelineProgress['stages'][PipelineStage]['state'];

type RunPipeline = (
  client: Client,
  config: SprintConfig,
  input: PipelineInput,
  log: (line: string) => void,
  onStage: (stage: PipelineStage, state: StageState) => void,
) => Promise<PipelineResult>;

/**
 * The sequential control of a SPRINT pipeline (the paper's RFT row): the same traces in sequential
 * form (the dataset's rft/ split, written by the same curation), trained from the same base model
 * with the same steps, hyperparameters and sequence length, published beside it, and evaluated with
 * `--method sequential` on the same benchmark, problems and session settings, on the pool `pool`
 * that serves it. A pipeline of its own, `<id>-sequential`, that reuses the curated dataset.
 */
export function sequentialComparisonInput(
  config: SprintConfig,
  sprint: PipelineInput,
  opts: { pool?: string; repo?: string },
): PipelineInput {
  const id = `${sprint.pipelineId}-sequential`;
  const datasetDir = sprint.curate?.outDir ?? sprint.datasetDir;
  if (!datasetDir)
    throw new CliError(
      '--compare sequential: needs the curated dataset (curation, or --dataset DIR)',
      ExitCode.usage,
    );
  if (!sprint.train)
    throw new CliError(
      '--compare sequential: trains a second model, so the train stage cannot be skipped',
      ExitCode.usage,
    );
  const input: PipelineInput = {
    pipelineId: id,
    skip: ['curate', ...(sprint.skip ?? []).filter((s) => s !== 'curate')],
    datasetDir: path.join(datasetDir, 'rft'),
    train: sprint.train,
  };
  if (sprint.publish)
    input.publish = { ...sprint.publish, repo: opts.repo ?? `${sprint.publish.repo}-sequential` };
  if (sprint.evaluate) {
    const pool = opts.pool;
    if (!pool)
      throw new CliError(
        '--compare sequential: name the pool that serves the sequential model (--compare-pool POOL)',
        ExitCode.usage,
      );
    const model = config.models.pools[pool]?.model;
    if (!model)
      throw new CliError(`--compare-pool: pool "${pool}" is not configured (models.pools)`, ExitCode.usage);
    const route = poolRoute(config, pool);
    input.evaluate = {
      ...sprint.evaluate,
      evalId: `${id}-${sprint.evaluate.benchmark}-sequential`,
      method: 'sequential',
      pool,
      model,
      outDir: path.join(path.dirname(sprint.evaluate.outDir), 'eval-sequential'),
      settings: methodSettings(config, 'sequential'),
      routing: { planner: route, executor: route },
    };
  }
  return input;
}

/**
 * Runs the SPRINT pipeline and its sequential control side by side: the control starts once the
 * SPRINT pipeline's dataset exists (its curate stage done, reused or skipped), so both trainings
 * overlap. Each pipeline's lines carry its name; `onStage` hears both.
 */
export async function runComparedPipelines(
  /** cli/actions/pipeline.ts's runPipeline (passed in: that module imports this one). */
  runPipeline: RunPipeline,
  client: Client,
  config: SprintConfig,
  sprint: PipelineInput,
  sequential: PipelineInput,
  log: (line: string) => void,
  onStage?: (pipeline: 'sprint' | 'sequential', stage: PipelineStage, state: StageState) => void,
): Promise<{ sprint: PipelineResult; sequential: PipelineResult }> {
  let curated: () => void = () => undefined;
  const datasetReady = new Promise<void>((resolve) => (curated = resolve));
  const sprintRun = runPipeline(
    client,
    config,
    sprint,
    (l) => log(`[sprint]     ${l.trimStart()}`),
    (stage, state) => {
      if (stage === 'curate' && (state === 'completed' || state === 'reused' || state === 'skipped'))
        curated();
      onStage?.('sprint', stage, state);
    },
  );
  // Started once the dataset exists; never when the SPRINT pipeline fails first.
  const sequentialRun = Promise.race([datasetReady, sprintRun]).then(() =>
    runPipeline(
      client,
      config,
      sequential,
      (l) => log(`[sequential] ${l.trimStart()}`),
      (stage, state) => onStage?.('sequential', stage, state),
    ),
  );
  const [a, b] = await Promise.all([sprintRun, sequentialRun]);
  return { sprint: a, sequential: b };
}
