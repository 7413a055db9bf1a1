import type { RoundRecord, SessionText } from '../session-types';

/*
 * A session's budget: how many model calls and generated tokens it may spend in all, discarded
 * tries included, since the engine did the work either way. A planner that keeps writing rounds (or
 * thousands of prompts) cannot run a GPU pool for one user without end: once the budget is spent the
 * next round is the forced final answer, and the transcript says why.
 */

export interface SessionBudget {
  maxCalls: number;
  maxTokens: number;
}

export interface BudgetSpent {
  calls: number;
  /** Completion tokens of every call. */
  tokens: number;
}

/** What the finished rounds spent. */
export function budgetSpent(rounds: readonly RoundRecord<SessionText>[]): BudgetSpent {
  let calls = 0;
  let tokens = 0;
  for (const round of rounds)
    for (const call of round.calls) {
      calls += 1;
      tokens += call.usage.completionTokens;
    }
  return { calls, tokens };
}

/**
 * Why no further planning round may start (the budget is spent), or undefined. A round can spend at
 * most one planner call plus one call per prompt beyond what is left: the cap is checked between
 * rounds, and the forced answer is the one call allowed past it.
 */
export function budgetExhausted(spent: BudgetSpent, budget: SessionBudget): string | undefined {
  if (spent.calls >= budget.maxCalls)
    return `session budget: ${spent.calls} model calls reached the limit of ${budget.maxCalls}: final answer forced`;
  if (spent.tokens >= budget.maxTokens)
    return `session budget: ${spent.tokens} generated tokens reached the limit of ${budget.maxTokens}: final answer forced`;
  return undefined;
}
