import { FORCED_FINAL_OPENING } from '../format';
import type { ExecuteCallInput, PlanCallInput } from '../session-types';
import { policyFor, UNNAMED_REPLIES_PROFILE, type ExecutorReading, type PlannerReading } from './policies';

/*
 * A model call's reply read by the policy its input names (core/session/policies): what the
 * planner and executor activities make of the text the engine returned.
 */

/** The planner reply as the transcript keeps it (a forced answer with its opening) and as read. */
export function readPlanCallReply(
  input: Pick<PlanCallInput, 'phase' | 'forcedFinal' | 'replies' | 'lastTry' | 'maxPrompts'>,
  completion: string,
): { raw: string; reading: PlannerReading } {
  const raw = input.forcedFinal ? `${FORCED_FINAL_OPENING}${completion}` : completion;
  const reading = policyFor(input.replies ?? UNNAMED_REPLIES_PROFILE).readPlannerReply(raw, {
    phase: input.phase,
    lastTry: input.lastTry ?? true,
    maxPrompts: input.maxPrompts,
  });
  return { raw, reading };
}

/** The executor reply cleaned as its input's policy cleans it. */
export function readExecuteCallReply(
  input: Pick<ExecuteCallInput, 'replies'>,
  completion: string,
): ExecutorReading {
  return policyFor(input.replies ?? UNNAMED_REPLIES_PROFILE).readExecutorReply(completion);
}
