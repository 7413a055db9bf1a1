import { defineQuery, defineSignal } from '@temporalio/workflow';
import {
  PROGRESS_QUERY,
  PROMPT_CLOSED_SIGNAL,
  type PromptClosed,
  type SessionProgress,
} from '../../core/session-types';

/** The session's round-by-round state, for `sprint show` and `sprint ask`: finished rounds from the argument on (default 0), within a size budget. */
export const progressQuery = defineQuery<SessionProgress, [roundsFrom?: number]>(PROGRESS_QUERY);
/** Sent by the streaming planner activity each time a `</prompt_p.k>` closes. */
export const promptClosedSignal = defineSignal<[PromptClosed]>(PROMPT_CLOSED_SIGNAL);
