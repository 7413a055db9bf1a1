import type { CallTiming, SamplingInput } from '../../core/session-types';
import type { CallOptions, CompletionRequest, CompletionResult, ModelClient } from '../../io/model-client';
import type { EngineOrder } from '../../core/priority/mapping';
import { enginePriorityField } from '../engine-priority';
import { withActivityCall } from '../llm';

/*
 * The one raw completion of a sprint activity: heartbeating while it waits (a dead worker is
 * noticed within the heartbeat timeout and the call is retried elsewhere), aborted when the
 * workflow cancels it, and reported with where and when it ran.
 */

/** The replica a sprint activity calls and how often it heartbeats meanwhile. */
export interface CompletionTarget {
  client: ModelClient;
  pool: string;
  replica: string;
  heartbeatIntervalMs: number;
  /** Tell the engine each call's priority (config priority.engines); absent: not told. */
  enginePriority?: EngineOrder | undefined;
}

function samplingOf(input: SamplingInput): Omit<CompletionRequest, 'prompt' | 'stop'> {
  return {
    maxTokens: input.maxTokens,
    temperature: input.temperature,
    ...(input.topP !== undefined ? { topP: input.topP } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
}

/** Completes `prompt` with the input's sampling, up to `stop` (absent: the engine's own end), streamed to `onDelta` if given. */
export function complete(
  target: CompletionTarget,
  prompt: string,
  sampling: SamplingInput,
  { stop, onDelta }: { stop?: string[]; onDelta?: CallOptions['onDelta'] | undefined } = {},
): Promise<CompletionResult> {
  const request: CompletionRequest = {
    prompt,
    ...(stop !== undefined ? { stop } : {}),
    ...samplingOf(sampling),
    ...enginePriorityField(target.enginePriority),
  };
  return withActivityCall(target.heartbeatIntervalMs, (signal) =>
    target.client.complete(request, onDelta ? { signal, onDelta } : { signal }),
  );
}

/** Where and when a call ran, as every sprint activity reports it. */
export function callTiming(
  target: CompletionTarget,
  started: { at: number; attempt: number },
  result: Pick<CompletionResult, 'latencyMs' | 'finishReason'>,
): CallTiming {
  return {
    startedAt: started.at,
    endedAt: Date.now(),
    latencyMs: result.latencyMs,
    pool: target.pool,
    replica: target.replica,
    attempt: started.attempt,
    finishReason: result.finishReason,
  };
}
