import type { MethodTokens } from '../method-result';

/*
 * Token accounting of a SPRINT session (docs/sprint-format.md#sequential-tokens). Pure.
 *
 * - Sequential tokens (seed definition): per round, planner tokens + the longest executor; summed.
 *   The final-answer call is a round with no executor (its tokens count as planner tokens).
 * - Streaming refinement: per round, max over k of (planner tokens up to the end of prompt k +
 *   tokens of execution k), with the whole plan as a lower bound. Where the planner's token offset
 *   of each prompt end is unknown, it is estimated from the character position in the plan text.
 * - Total: every generated token, including attempts thrown away by resampling (real compute).
 * - Prompt (prefill) and cached prompt tokens: over every call, including discarded attempts.
 * Discarded attempts never count towards sequential tokens: the metric describes the kept trajectory.
 */

export interface CallUsage {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
}

export interface RoundUsage {
  /** The kept planner call. */
  planner: CallUsage;
  /** Planner tokens generated up to the end of `</prompt_p.k>`, per prompt (k = index + 1). */
  promptEndTokens?: number[];
  /** The kept executor calls, in prompt order. */
  executors: CallUsage[];
  /** Calls thrown away (resampled over-long plans/executions): cost, not latency. */
  discarded?: CallUsage[];
}

export interface RoundTokens extends MethodTokens {
  planner: number;
  executors: number[];
  sequentialStreaming: number;
}

export interface SessionTokens extends MethodTokens {
  sequentialStreaming: number;
  rounds: RoundTokens[];
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function usageSums(calls: readonly CallUsage[]) {
  return {
    total: sum(calls.map((c) => c.completionTokens)),
    prompt: sum(calls.map((c) => c.promptTokens)),
    cachedPrompt: sum(calls.map((c) => c.cachedPromptTokens ?? 0)),
  };
}

/** Seed definition for one round: planner + longest executor. */
export function roundSequential(planner: number, executors: readonly number[]): number {
  return planner + Math.max(0, ...executors);
}

/** Streaming refinement for one round: max over k of (planner up to prompt k + execution k), at least the plan. */
export function roundSequentialStreaming(
  planner: number,
  promptEnds: readonly number[],
  executors: readonly number[],
): number {
  let best = planner;
  executors.forEach((e, i) => {
    const end = Math.min(planner, promptEnds[i] ?? planner);
    best = Math.max(best, end + e);
  });
  return best;
}

/**
 * Estimates the planner token offset of each prompt end from the character offsets in the plan's
 * text (proportional), for calls that did not stream. `ends` are character offsets of each
 * `</prompt_p.k>` end within a text of `length` characters.
 */
export function estimatePromptEndTokens(
  plannerTokens: number,
  ends: readonly number[],
  length: number,
): number[] {
  if (length <= 0) return ends.map(() => plannerTokens);
  return ends.map((e) => Math.min(plannerTokens, Math.ceil((plannerTokens * Math.min(e, length)) / length)));
}

export function accountRound(r: RoundUsage): RoundTokens {
  const planner = r.planner.completionTokens;
  const executors = r.executors.map((e) => e.completionTokens);
  const sums = usageSums([r.planner, ...r.executors, ...(r.discarded ?? [])]);
  return {
    planner,
    executors,
    sequential: roundSequential(planner, executors),
    sequentialStreaming: roundSequentialStreaming(planner, r.promptEndTokens ?? [], executors),
    ...sums,
  };
}

/** Per-round and session totals; `extra` holds calls outside any round (none in the plain loop). */
export function accountSession(
  rounds: readonly RoundUsage[],
  extra: readonly CallUsage[] = [],
): SessionTokens {
  const per = rounds.map(accountRound);
  const extraSums = usageSums(extra);
  return {
    sequential: sum(per.map((r) => r.sequential)),
    sequentialStreaming: sum(per.map((r) => r.sequentialStreaming)),
    total: sum(per.map((r) => r.total)) + extraSums.total,
    prompt: sum(per.map((r) => r.prompt)) + extraSums.prompt,
    cachedPrompt: sum(per.map((r) => r.cachedPrompt)) + extraSums.cachedPrompt,
    rounds: per,
  };
}

/** A sequential (single completion) run: sequential = generated tokens. */
export function accountSequential(call: CallUsage, discarded: readonly CallUsage[] = []): MethodTokens {
  const all = usageSums([call, ...discarded]);
  return { sequential: call.completionTokens, sequentialStreaming: call.completionTokens, ...all };
}
