/*
 * Pure views over a session's recorded rounds: what the next prompts are built from, what the token
 * accounting counts, and the problems a round's replies add to the transcript.
 */
import type { CallUsage, RoundUsage } from '../accounting';
import type { Plan, Round } from '../format';
import type { RoundRecord } from '../session-types';
import type { SessionText } from '../stored-text';

/** Rounds that feed the next prompt: every recorded round but the one that wrote the final answer. */
export function promptRounds(records: readonly RoundRecord[]): Round[];
export function promptRounds<T extends SessionText>(
  records: readonly RoundRecord<T>[],
): { plan: Plan; executions: T[] }[];
export function promptRounds<T extends SessionText>(records: readonly RoundRecord<T>[]) {
  return records
    .filter((r) => r.final === undefined)
    .map((r) => ({ plan: r.plan, executions: r.executions }));
}

/**
 * Token usage of a round for accounting: the kept planner call, the kept call of each executor (in
 * prompt order; zero when missing) and every discarded call (counted in totals only).
 */
export function roundUsage<T extends SessionText>(r: RoundRecord<T>): RoundUsage {
  const kept = r.calls.filter((c) => !c.discarded);
  const planner = kept.find((c) => c.kind === 'plan');
  const executors = r.executions.map((_, i) => kept.find((c) => c.kind === 'execute' && c.k === i + 1));
  const zero: CallUsage = { promptTokens: 0, completionTokens: 0 };
  return {
    planner: planner?.usage ?? zero,
    promptEndTokens: r.promptEndTokens,
    executors: executors.map((c) => c?.usage ?? zero),
    discarded: r.calls.filter((c) => c.discarded).map((c) => c.usage),
  };
}

/** Problems of the kept plan reply: parser repairs, a cut at the token limit, lost streaming signals. */
export function planProblems(
  phase: number,
  reply: { plan: Plan; finishReason: string; signalErrors?: readonly string[] | undefined },
  maxTokensPerCall: number,
): string[] {
  const out = reply.plan.problems.map((p) => `plan ${phase}: ${p}`);
  if (reply.finishReason === 'length')
    out.push(`plan ${phase}: cut at the token limit (${maxTokensPerCall})`);
  for (const e of reply.signalErrors ?? [])
    out.push(`streaming signal lost (${e}): dispatched after the plan`);
  return out;
}

/** Problems of the kept reply of executor k (1-based): parser repairs and a cut at the token limit. */
export function executionProblems(
  phase: number,
  k: number,
  reply: { problems: readonly string[]; finishReason: string },
): string[] {
  const out = reply.problems.map((p) => `execution ${phase}.${k}: ${p}`);
  if (reply.finishReason === 'length') out.push(`execution ${phase}.${k}: cut at the token limit`);
  return out;
}
