import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { isCancellation, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { PublishActivities, PublishInput, PublishResult } from '../activities/publish';
import { SprintKind, SprintModel, SprintStatus } from './search-attributes';
import { ErrorType } from '../core/errors';

export interface PublishWorkflowInput extends PublishInput {
  /** Queue of a worker that sees the model folder (the training workers: config taskQueues.training). */
  taskQueue: string;
  heartbeatTimeoutMs?: number;
}

/**
 * Publishes a trained model folder with its model card: to the Hub when the worker has a token,
 * otherwise to the local mirror. Unchanged content makes no new commit, so the workflow can be
 * re-run (or retried) safely.
 */
export async function publishWorkflow(input: PublishWorkflowInput): Promise<PublishResult> {
  upsertSearchAttributes([
    { key: SprintKind, value: 'publish' },
    { key: SprintStatus, value: 'running' },
    { key: SprintModel, value: input.repo },
  ]);
  const { publishModel } = proxyActivities<PublishActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '6h',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 120_000,
    retry: {
      initialInterval: '2s',
      maximumInterval: '1m',
      maximumAttempts: 8,
      nonRetryableErrorTypes: [ErrorType.BadPublishInput],
    },
    summary: `publish ${input.repo}`,
  });
  const { taskQueue: _q, heartbeatTimeoutMs: _h, ...job } = input;
  try {
    const result = await publishModel(job);
    const attrs: SearchAttributeUpdatePair[] = [{ key: SprintStatus, value: 'completed' }];
    upsertSearchAttributes(attrs);
    return result;
  } catch (err) {
    upsertSearchAttributes([{ key: SprintStatus, value: isCancellation(err) ? 'cancelled' : 'failed' }]);
    throw err;
  }
}
