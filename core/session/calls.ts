/*
 * Pure pieces of one session's model calls: per-call seeds and sampling, activity summaries
 * and the reasons written on discarded calls. The summaries end up in workflow history (activity
 * user metadata), so their text is part of the recorded history shape: change them only knowingly.
 */
import type { SamplingInput } from '../session-types';

/** The sampling settings a session call reads (a subset of config `session`). */
export interface SessionSampling {
  maxTokensPerCall: number;
  temperature: number;
  topP?: number | undefined;
  seed?: number | undefined;
}

/**
 * Seed of one call (k = 0 for the planner), derived from the base seed so every call samples
 * differently yet a re-run with the same base seed repeats. Undefined when no base seed is set.
 * The multipliers are primes larger than any phase/k/try, so distinct calls get distinct seeds.
 */
export function callSeed(
  base: number | undefined,
  phase: number,
  k: number,
  attempt: number,
): number | undefined {
  return base === undefined ? undefined : base + phase * 1_000_003 + k * 1009 + attempt;
}

/** Sampling of one call: the session's settings plus the call's own seed. */
export function callSampling(s: SessionSampling, phase: number, k: number, attempt: number): SamplingInput {
  const seed = callSeed(s.seed, phase, k, attempt);
  return {
    maxTokens: s.maxTokensPerCall,
    temperature: s.temperature,
    ...(s.topP !== undefined ? { topP: s.topP } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Activity summary of a planner call, e.g. `plan 3`, `plan 12 (forced answer) (try 2)`. */
export function planSummary(phase: number, forced: boolean, attempt: number): string {
  return `plan ${phase}${forced ? ' (forced answer)' : ''}${attempt > 1 ? ` (try ${attempt})` : ''}`;
}

/** Activity summary of an executor call, e.g. `execute 3.2`, `execute 3.2 (try 2)`. */
export function executeSummary(phase: number, k: number, attempt: number): string {
  return `execute ${phase}.${k}${attempt > 1 ? ` (try ${attempt})` : ''}`;
}

/** Why an over-long reply was thrown away (resampling), as the transcript records it. */
export function resampledReason(what: 'plan' | 'execution', tokens: number, max: number): string {
  return `${what} of ${tokens} tokens > ${max}: resampled`;
}
