import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities/artifacts';
import type { LlmActivities, ModelCallResult } from '../activities/llm';
import type { z } from 'zod';
import { poolQueue } from '../config/queues';
import { formatIssue } from '../config/schema/issues';
import type { MethodTokens } from '../core/method-result';
import { ErrorType } from '../core/errors';

/** Model calls on the pool's shared queue (any replica), retried by Temporal like completionWorkflow. */
export function modelCalls(pool: string, callTimeoutMs = 600_000) {
  return proxyActivities<LlmActivities>({
    taskQueue: poolQueue(pool),
    startToCloseTimeout: callTimeoutMs,
    heartbeatTimeout: 30_000,
    retry: {
      initialInterval: 500,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: 8,
      nonRetryableErrorTypes: [ErrorType.ModelCall],
    },
  });
}

export const artifactCalls = () =>
  proxyActivities<ArtifactActivities>({ startToCloseTimeout: 60_000, retry: { maximumAttempts: 5 } });

/**
 * A baseline's settings parsed by its schema (defaults filled in); a bad or unknown field fails the
 * workflow for good, naming the field: `sot settings: maxPoints: Too small: expected number to be >0 (got 0)`.
 */
export function parseMethodSettings<S extends z.ZodType>(method: string, schema: S, settings: unknown): z.output<S> {
  const parsed = schema.safeParse(settings ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `${method} settings: ${parsed.error.issues.map(formatIssue).join('; ')}`,
      ErrorType.BadMethodSettings,
    );
  }
  return parsed.data;
}

/** Sums prompt, cached and generated tokens over calls; `sequential` is given by the method. */
export function sumTokens(calls: ModelCallResult[], sequential: number): MethodTokens {
  return {
    sequential,
    total: calls.reduce((s, c) => s + c.usage.completionTokens, 0),
    prompt: calls.reduce((s, c) => s + c.usage.promptTokens, 0),
    cachedPrompt: calls.reduce((s, c) => s + (c.usage.cachedPromptTokens ?? 0), 0),
  };
}
