import { FORCED_FINAL_OPENING, parseExecutionOutput, parsePlan } from '../../format';
import type { LoopPolicy } from './types';

/**
 * This project's loop (docs/sprint-format.md#inference-loop): each role stops where its own block closes, replies
 * go through core/format's repairing parsers and are never asked again, every executor sees the
 * same full plan (one cacheable prefix), and nothing is resampled or ended early.
 */
export const platformPolicy: LoopPolicy = {
  stops: { planner: ['</Plan_', '</Final_answer>'], executor: ['</execution_'] },
  readPlannerReply: (raw, { phase, maxPrompts }) => ({
    plan: parsePlan(raw, phase, maxPrompts !== undefined ? { maxPrompts } : {}),
  }),
  retriesPlannerReplies: false,
  readExecutorReply: parseExecutionOutput,
  executorStrategy: 'shared-prefix',
  forcedFinalTail: FORCED_FINAL_OPENING,
  resampling: { overLong: false, includeFinal: false },
  finalAnswerEarlyStop: false,
};
