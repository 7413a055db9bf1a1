import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities/artifacts';
import type { LlmActivities, ModelCallResult } from '../activities/llm';
import type { z } from 'zod';
import type { PoolRoute } from '../config/queues';
import { formatIssue } from '../config/schema/issues';
import type { MethodRunInput, MethodTokens } from '../core/method-result';
import { ErrorType } from '../core/errors';
import type { CallPriority } from '../core/priority/mapping';

/** What the evaluation passes each child: the routes built by `poolRoute`, queue names with the deployment prefix. */
export type BaselineRunInput = MethodRunInput & { routing?: { planner: PoolRoute; executor: PoolRoute } };

/**
 * The pool's shared queue. Queue names carry the deployment's prefix, which only the config knows,
 * so it comes from the routing in the input; a run started without routing (older callers) falls
 * back to the plain name, which is right for a deployment with `taskQueuePrefix: ""`.
 */
export function sharedQueueOf(input: BaselineRunInput, pool: string): string {
  const route = [input.routing?.planner, input.routing?.executor].find((r) => r?.pool === pool);
  return route?.sharedQueue ?? `sprint-llm-${pool}`;
}

/** Model calls on the pool's shared queue (any replica), retried by Temporal like completionWorkflow. */
export function modelCalls(sharedQueue: string, callTimeoutMs = 600_000, priority?: CallPriority) {
  return proxyActivities<LlmActivities>({
    taskQueue: sharedQueue,
    startToCloseTimeout: callTimeoutMs,
    heartbeatTimeout: 30_000,
    retry: {
      initialInterval: 500,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: 8,
      nonRetryableErrorTypes: [ErrorType.ModelCall],
    },
    ...(priority ? { priority } : {}),
  });
}

export const artifactCalls = () =>
  proxyActivities<ArtifactActivities>({ startToCloseTimeout: 60_000, retry: { maximumAttempts: 5 } });

/**
 * A baseline's settings parsed by its schema (defaults filled in); a bad or unknown field fails the
 * workflow for good, naming the field: `sot settings: maxPoints: Too small: expected number to be >0 (got 0)`.
 */
export function parseMethodSettings<S extends z.ZodType>(
  method: string,
  schema: S,
  settings: unknown,
): z.output<S> {
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
