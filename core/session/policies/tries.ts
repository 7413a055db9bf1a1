import { resampledReason } from '../calls';
import type { LoopPolicy, PlannerReading } from './types';

/*
 * How many tries a model call of the loop gets and which tries are thrown away: over-long replies
 * when the policy resamples, and planner replies its reader asks again for. The last try is always
 * kept.
 */

/** session.resample's numbers: what counts as too long, and the most tries. */
export interface ResampleLimits {
  planMaxTokens: number;
  executionMaxTokens: number;
  maxTries: number;
}

type TriesRule = Pick<LoopPolicy, 'resampling' | 'retriesPlannerReplies'>;

export function executorTries(loop: TriesRule, limits: ResampleLimits): number {
  return loop.resampling.overLong ? limits.maxTries : 1;
}

/** Why executor try `attempt` is thrown away and sampled again; undefined: it is kept. */
export function executorDiscard(
  loop: TriesRule,
  limits: ResampleLimits,
  reply: { attempt: number; completionTokens: number },
): string | undefined {
  if (reply.attempt >= executorTries(loop, limits)) return undefined;
  return reply.completionTokens > limits.executionMaxTokens
    ? resampledReason('execution', reply.completionTokens, limits.executionMaxTokens)
    : undefined;
}

/** Whether the planner replies of a phase (the forced one or not) are resampled when too long. */
function resamplesPlans(loop: TriesRule, forced: boolean): boolean {
  return loop.resampling.overLong && (!forced || loop.resampling.includeFinal);
}

export function plannerTries(loop: TriesRule, limits: ResampleLimits, forced: boolean): number {
  return resamplesPlans(loop, forced) || loop.retriesPlannerReplies ? limits.maxTries : 1;
}

/**
 * Why planner try `attempt` is thrown away and asked again; undefined: it is kept. The length is
 * checked before the reader's verdict, as the released loop does; an answer counts as too long
 * only when final answers are resampled.
 */
export function plannerDiscard(
  loop: TriesRule,
  limits: ResampleLimits,
  reply: { attempt: number; forced: boolean; completionTokens: number; reading: PlannerReading },
): string | undefined {
  if (reply.attempt >= plannerTries(loop, limits, reply.forced)) return undefined;
  const answered = reply.reading.plan.final !== undefined && reply.reading.retry === undefined;
  const tooLong =
    resamplesPlans(loop, reply.forced) &&
    reply.completionTokens > limits.planMaxTokens &&
    (!answered || loop.resampling.includeFinal);
  return tooLong
    ? resampledReason('plan', reply.completionTokens, limits.planMaxTokens)
    : reply.reading.retry;
}
