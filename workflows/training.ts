import {
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  TrainingActivities,
  TrainingJobInput,
  TrainingJobResult,
  TrainingProgress,
} from '../activities/training';
import { TRAINING_PROGRESS_SIGNAL } from '../core/training';
import {
  SprintDataset,
  SprintKind,
  SprintLoss,
  SprintModel,
  SprintProgress,
  SprintStatus,
} from './search-attributes';
import { ErrorType } from '../core/errors';

export interface TrainingWorkflowInput extends Omit<TrainingJobInput, 'runId'> {
  /** Default: the workflow id. */
  runId?: string;
  /** Task queue of the training workers (config taskQueues.training). */
  taskQueue: string;
  /** A dead worker's job is reattached by the retry after this long without a heartbeat. */
  heartbeatTimeoutMs?: number;
  /** Upper bound on the whole training (default 14 days). */
  maxDurationMs?: number;
  /** Label for the SprintDataset search attribute (default: the dataset folder's name). */
  datasetLabel?: string;
}

export interface TrainingWorkflowResult extends TrainingJobResult {
  /** Absolute path of the trained model (the best eval-loss checkpoint, saved as `final/`). */
  modelDir: string;
}

export const trainingProgressQuery = defineQuery<TrainingProgress>('progress');
export const trainingProgressSignal = defineSignal<[TrainingProgress]>(TRAINING_PROGRESS_SIGNAL);

const baseName = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;

/**
 * Fine-tunes a model on a curated dataset: one long-running activity on the training queue
 * launches the trainer (local process, Docker container or Kubernetes Job) and watches it;
 * its progress arrives by signal and is kept in search attributes and the `progress` query.
 */
export async function trainingWorkflow(input: TrainingWorkflowInput): Promise<TrainingWorkflowResult> {
  const runId = input.runId ?? workflowInfo().workflowId;
  const model = input.tiny ? 'tiny-qwen2' : (input.baseModel ?? 'base-model');
  let progress: TrainingProgress = { state: 'launching', step: 0, total: 0, launch: 0, restarts: 0 };
  setHandler(trainingProgressQuery, () => progress);
  setHandler(trainingProgressSignal, (p) => {
    // Signals may arrive out of order across relaunches: keep the furthest step.
    if (
      p.launch < progress.launch ||
      (p.launch === progress.launch && p.step < progress.step && p.state === progress.state)
    )
      return;
    progress = p;
    const attrs = [
      { key: SprintProgress, value: p.step },
      { key: SprintStatus, value: p.state === 'succeeded' ? 'running' : p.state },
    ] as SearchAttributeUpdatePair[];
    if (p.loss !== undefined && Number.isFinite(p.loss)) attrs.push({ key: SprintLoss, value: p.loss });
    upsertSearchAttributes(attrs);
  });
  upsertSearchAttributes([
    { key: SprintKind, value: 'training' },
    { key: SprintStatus, value: 'running' },
    { key: SprintModel, value: model },
    { key: SprintDataset, value: input.datasetLabel ?? baseName(input.datasetDir) },
    { key: SprintProgress, value: 0 },
  ]);

  const { runTrainingJob } = proxyActivities<TrainingActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: input.maxDurationMs ?? 14 * 24 * 3600_000,
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 60_000,
    // Retries reattach to the running job (its handle is in the heartbeat details); a job that
    // itself failed is relaunched from its checkpoint inside the activity, up to maxRestarts.
    retry: {
      initialInterval: '1s',
      maximumInterval: '30s',
      backoffCoefficient: 2,
      maximumAttempts: 20,
      nonRetryableErrorTypes: [ErrorType.TrainingJobFailed, ErrorType.BadTrainingInput],
    },
    cancellationType: 'WAIT_CANCELLATION_COMPLETED',
    summary: `train ${model} on ${input.datasetLabel ?? baseName(input.datasetDir)} (${input.launcher ?? 'configured launcher'})`,
  });

  const { taskQueue: _q, heartbeatTimeoutMs: _h, maxDurationMs: _m, datasetLabel: _d, ...job } = input;
  try {
    const result = await runTrainingJob({ ...job, runId });
    progress = {
      ...progress,
      state: 'succeeded',
      step: result.steps,
      total: Math.max(progress.total, result.steps),
    };
    const attrs = [
      { key: SprintStatus, value: 'completed' },
      { key: SprintProgress, value: result.steps },
    ] as SearchAttributeUpdatePair[];
    const loss = result.bestEvalLoss ?? result.trainLoss;
    if (loss !== undefined) attrs.push({ key: SprintLoss, value: loss });
    upsertSearchAttributes(attrs);
    return result;
  } catch (err) {
    const cancelled = isCancellation(err);
    progress = { ...progress, state: cancelled ? 'cancelled' : 'failed', message: (err as Error).message };
    upsertSearchAttributes([{ key: SprintStatus, value: cancelled ? 'cancelled' : 'failed' }]);
    throw err;
  }
}
