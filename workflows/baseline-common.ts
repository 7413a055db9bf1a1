import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities/artifacts';
import type { LlmActivities, ModelCallResult } from '../activities/llm';
import type { AnswerKind } from '../core/methods/baselines';
import type { PoolRoute } from '../config/queues';
import type { MethodRunInput, MethodTokens } from '../core/method-result';

/** Settings shared by the baseline method workflows (sot, sc); each field has a default. */
export interface BaselineSettings {
  answerKind?: AnswerKind;
  temperature?: number;
  /** Raw-completion template with `{question}`; default DEFAULT_PROMPT_TEMPLATE (R1-Distill chat). */
  promptTemplate?: string;
  /** Per-call timeout of one attempt. */
  callTimeoutMs?: number;
}

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
export function modelCalls(sharedQueue: string, callTimeoutMs = 600_000) {
  return proxyActivities<LlmActivities>({
    taskQueue: sharedQueue,
    startToCloseTimeout: callTimeoutMs,
    heartbeatTimeout: 30_000,
    retry: {
      initialInterval: 500,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: 8,
      nonRetryableErrorTypes: ['ModelCallError'],
    },
  });
}

export const artifactCalls = () =>
  proxyActivities<ArtifactActivities>({ startToCloseTimeout: 60_000, retry: { maximumAttempts: 5 } });

export function badSetting(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'BadMethodSettings');
}

export function numberSetting(
  settings: Record<string, unknown>,
  key: string,
  fallback: number,
  min = 0,
): number {
  const v = settings[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    badSetting(`setting "${key}" must be a number >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export function answerKindSetting(settings: Record<string, unknown>): AnswerKind {
  const v = settings.answerKind ?? 'math';
  if (v !== 'math' && v !== 'choice' && v !== 'countdown')
    badSetting(`setting "answerKind" must be math, choice or countdown, got ${JSON.stringify(v)}`);
  return v;
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
