import type { ExecutorStrategy } from '../../format';
import { platformPolicy } from './platform';
import { releasedPolicy } from './released';
import type { LoopPolicy } from './types';

export type * from './types';
export { executorDiscard, executorTries, plannerDiscard, plannerTries, type ResampleLimits } from './tries';

/*
 * The registry of loop policies: one per session profile (config `session.profile`). The
 * profile names are this registry's keys, so a profile is added here and nowhere else.
 */

export const policies = {
  released: releasedPolicy,
  platform: platformPolicy,
} as const satisfies Record<string, LoopPolicy>;

export type SessionProfile = keyof typeof policies;

/** Every profile name, in registry order. */
export const sessionProfiles = Object.keys(policies) as [SessionProfile, ...SessionProfile[]];

/** The profile of settings that name none: the released loop, which released checkpoints were trained on. */
export const DEFAULT_SESSION_PROFILE: SessionProfile = 'released';

/** How replies are read when an activity input names no profile (inputs of older histories). */
export const UNNAMED_REPLIES_PROFILE: SessionProfile = 'platform';

export function isSessionProfile(name: string): name is SessionProfile {
  return Object.hasOwn(policies, name);
}

/** The policy of a profile; an unknown name is an error naming the known ones. */
export function policyFor(profile: string): LoopPolicy {
  if (!isSessionProfile(profile))
    throw new Error(`unknown session profile "${profile}" (known: ${sessionProfiles.join(', ')})`);
  return policies[profile];
}

/**
 * The rows of session settings that pick loop behaviour, each also settable on its own
 * (config/schema/session.ts): a row set explicitly wins over the profile.
 */
export interface LoopChoices {
  executorStrategy: ExecutorStrategy;
  /** The released loop's stops for both roles (else the platform's). */
  releasedStops: boolean;
  /** Whose readers (and forced-answer tail) the replies get. */
  replyHandling: SessionProfile;
  finalAnswerEarlyStop: boolean;
  resample: { enabled: boolean; includeFinal: boolean };
}

/** What a profile sets for the rows its settings leave unset. */
export function profileChoices(profile: SessionProfile): LoopChoices {
  const policy = policies[profile];
  return {
    executorStrategy: policy.executorStrategy,
    releasedStops: policy.stops === releasedPolicy.stops,
    replyHandling: profile,
    finalAnswerEarlyStop: policy.finalAnswerEarlyStop,
    resample: { enabled: policy.resampling.overLong, includeFinal: policy.resampling.includeFinal },
  };
}

/** The loop a session runs: a policy whose every answer comes from the rows' choices. */
export interface SessionLoop extends LoopPolicy {
  /** The profile whose readers read the replies: what the model-call activities are told. */
  replies: SessionProfile;
}

/** The loop the settings' rows choose (a profile's own rows give back its policy's answers). */
export function sessionLoop(choices: LoopChoices): SessionLoop {
  const replies = policies[choices.replyHandling];
  return {
    replies: choices.replyHandling,
    stops: (choices.releasedStops ? releasedPolicy : platformPolicy).stops,
    readPlannerReply: replies.readPlannerReply,
    retriesPlannerReplies: replies.retriesPlannerReplies,
    readExecutorReply: replies.readExecutorReply,
    forcedFinalTail: replies.forcedFinalTail,
    executorStrategy: choices.executorStrategy,
    resampling: { overLong: choices.resample.enabled, includeFinal: choices.resample.includeFinal },
    finalAnswerEarlyStop: choices.finalAnswerEarlyStop,
  };
}
