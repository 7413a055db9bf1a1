import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { SprintConfig } from '../config/schema';
import {
  ModelCallError,
  type ModelClient,
  type ChatRequest,
  type CompletionRequest,
  type CompletionResult,
  type EngineEndpoint,
} from '../io/model-client';
import { ErrorType } from '../core/errors';
import type { EngineOrder } from '../core/priority/mapping';
import { enginePriorityField } from './engine-priority';

export type { ChatRequest, CompletionRequest, CompletionResult, TokenUsage } from '../io/model-client';

/** Result of a model activity: the call's result plus where it ran (for routing audits). */
export interface ModelCallResult extends CompletionResult {
  pool: string;
  replica: string;
}

export interface LlmActivityDeps {
  client: ModelClient;
  pool: string;
  replica: string;
  /** How often a waiting call heartbeats (so cancellation reaches it and a dead worker is noticed). */
  heartbeatIntervalMs?: number;
  /** Tell the engine each call's priority (config priority.engines); absent: not told. */
  enginePriority?: EngineOrder | undefined;
}

/** Builds the endpoint of one replica; the engine key comes from this process's environment only. */
export function resolveEndpoint(
  config: SprintConfig,
  pool: string,
  replica: string,
  env: NodeJS.ProcessEnv = process.env,
): EngineEndpoint {
  const p = config.models.pools[pool];
  const r = p?.replicas.find((x) => x.name === replica);
  if (!p || !r) throw new Error(`unknown pool/replica ${pool}/${replica}`);
  const apiKey = p.apiKeyEnv ? env[p.apiKeyEnv] : undefined;
  if (p.apiKeyEnv && !apiKey) {
    throw new Error(
      `pool "${pool}" reads its API key from $${p.apiKeyEnv}, which is not set for this worker`,
    );
  }
  return { baseUrl: r.baseUrl, model: p.model, engine: p.engine, apiKey, timeoutMs: p.timeoutMs };
}

/** Turns a client error into what Temporal should do with it: retry (with the server's delay) or stop. */
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ModelCallError) {
    if (!err.retryable) {
      return ApplicationFailure.create({
        message: err.message,
        type: ErrorType.ModelCall,
        nonRetryable: true,
      });
    }
    return ApplicationFailure.create({
      message: err.message,
      type: ErrorType.ModelCallRetryable,
      nonRetryable: false,
      ...(err.retryAfterMs !== undefined
        ? { nextRetryDelay: Math.max(1, Math.round(err.retryAfterMs)) }
        : {}),
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Runs one model call inside an activity: heartbeats while it waits, aborts the HTTP request when
 * the activity is cancelled, and classifies failures for Temporal's retry policy.
 */
export async function withActivityCall<T>(
  intervalMs: number,
  call: (signal: AbortSignal, heartbeat: (details?: unknown) => void) => Promise<T>,
): Promise<T> {
  const ctx = Context.current();
  const heartbeat = (details?: unknown) => ctx.heartbeat(details);
  const timer = setInterval(() => heartbeat(), intervalMs);
  try {
    return await call(ctx.cancellationSignal, heartbeat);
  } catch (err) {
    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('model call cancelled');
    throw toActivityFailure(err);
  } finally {
    clearInterval(timer);
  }
}

/** Model-call activities bound to one replica. Registered by the llm worker of that replica. */
export function createLlmActivities(deps: LlmActivityDeps) {
  const interval = deps.heartbeatIntervalMs ?? 1000;
  return {
    async complete(req: CompletionRequest): Promise<ModelCallResult> {
      const request = { ...req, ...enginePriorityField(deps.enginePriority) };
      const result = await withActivityCall(interval, (signal) => deps.client.complete(request, { signal }));
      return { ...result, pool: deps.pool, replica: deps.replica };
    },
    async chat(req: ChatRequest): Promise<ModelCallResult> {
      const request = { ...req, ...enginePriorityField(deps.enginePriority) };
      const result = await withActivityCall(interval, (signal) => deps.client.chat(request, { signal }));
      return { ...result, pool: deps.pool, replica: deps.replica };
    },
  };
}

export type LlmActivities = ReturnType<typeof createLlmActivities>;
