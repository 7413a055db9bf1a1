import type { MethodName } from '../method-result';

/** The per-call token budgets a served request's `max_tokens` may lower but never raise. */
export interface TokenBudgets {
  /** session.maxTokensPerCall: each planner and executor call of a SPRINT session. */
  perCall: number;
  /** session.sequentialMaxTokens: the one call of the sequential baseline. */
  sequential: number;
  /** serve.maxTokensCeiling: a lower ceiling for every served request, when set. */
  serveCeiling?: number;
}

/**
 * The largest `max_tokens` a request for `method` may ask, or undefined where the method takes no
 * `max_tokens` (SoT and SC run on their evaluation settings).
 */
export function maxTokensCeiling(method: MethodName, budgets: TokenBudgets): number | undefined {
  const budget =
    method === 'sprint' ? budgets.perCall : method === 'sequential' ? budgets.sequential : undefined;
  if (budget === undefined) return undefined;
  return Math.min(budget, budgets.serveCeiling ?? budget);
}
