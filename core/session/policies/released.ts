import {
  FORCED_FINAL_OPENING,
  RELEASED_STOPS,
  releasedExecutionOutput,
  releasedPlannerReply,
} from '../../format';
import type { LoopPolicy } from './types';

/**
 * The released SPRINT loop (docs/sprint-format.md#released-inference-loop), as its checkpoint was trained: the five stops
 * for both roles, tagged replies rewrapped and untagged ones asked again, the reorder prompts,
 * over-long replies (final answers too) resampled, and the early stop on a stated final answer.
 */
export const releasedPolicy: LoopPolicy = {
  stops: { planner: RELEASED_STOPS, executor: RELEASED_STOPS },
  readPlannerReply: (raw, { phase, lastTry, maxPrompts }) => {
    const read = releasedPlannerReply(raw, phase, lastTry, maxPrompts);
    if (read.kind === 'plan') return { plan: read.plan };
    // A placeholder so that every reading has a plan; the loop asks again.
    return { plan: { phase, text: raw.trim(), prompts: [], problems: [read.reason] }, retry: read.reason };
  },
  retriesPlannerReplies: true,
  readExecutorReply: releasedExecutionOutput,
  executorStrategy: 'reorder',
  // The released history already ends in a blank line and the loop adds another.
  forcedFinalTail: `\n\n${FORCED_FINAL_OPENING}`,
  resampling: { overLong: true, includeFinal: true },
  finalAnswerEarlyStop: true,
};
