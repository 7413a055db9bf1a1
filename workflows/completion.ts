import { proxyActivities } from '@temporalio/workflow';
import type { CompletionRequest, LlmActivities, ModelCallResult } from '../activities/llm';
import { ErrorType } from '../core/errors';

export interface CompletionInput {
  /** Task queue of the pool (shared) or of one replica (sticky). */
  taskQueue: string;
  request: CompletionRequest;
  /** A worker that stops heartbeating for this long is presumed dead; the call is retried elsewhere. */
  heartbeatTimeoutMs?: number;
  /** Upper bound of one attempt; default 10 minutes. */
  attemptTimeoutMs?: number;
  maximumAttempts?: number;
  label?: string;
}

/** One raw completion, durably: retried by Temporal on timeouts, connection errors, 429 and 5xx. */
export async function completionWorkflow(input: CompletionInput): Promise<ModelCallResult> {
  const { complete } = proxyActivities<LlmActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: input.attemptTimeoutMs ?? 600_000,
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 10_000,
    retry: {
      initialInterval: 500,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: input.maximumAttempts ?? 8,
      nonRetryableErrorTypes: [ErrorType.ModelCall],
    },
    summary: input.label ?? 'completion',
  });
  return complete(input.request);
}
