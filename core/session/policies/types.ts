import type { ExecutorStrategy, Plan } from '../../format';

/*
 * What a loop policy answers: every question the session loop asks that differs between
 * profiles. Policies are plain data and pure functions (safe in workflow code); activities are
 * told a policy's name, never handed one.
 */

/** Stop strings of each role's calls. */
export interface RoleStops {
  planner: readonly string[];
  executor: readonly string[];
}

/** What reading a planner reply needs besides the reply. */
export interface PlannerReplyContext {
  phase: number;
  /** No try follows this one: a reader that asks again must keep whatever came instead. */
  lastTry: boolean;
  /** Fan-out cap (unset: none). */
  maxPrompts?: number | undefined;
}

/**
 * A planner reply as read: its plan (or final answer), and `retry` when the reader wants another
 * try (the plan is then only a placeholder without prompts, holding the reply's text).
 */
export interface PlannerReading {
  plan: Plan;
  retry?: string;
}

/** An executor reply as cleaned: the execution text and what the cleaning removed, in words. */
export interface ExecutorReading {
  text: string;
  problems: string[];
}

/** Which replies are sampled again for being too long (limits and tries: session.resample). */
export interface ResamplingRule {
  /** Plans over planMaxTokens and executions over executionMaxTokens are sampled again. */
  overLong: boolean;
  /** Final answers (the forced one too) count as over-long plans as well. */
  includeFinal: boolean;
}

/** One profile's answers to the loop. */
export interface LoopPolicy {
  stops: RoleStops;
  /** Reads a planner reply (a forced answer arrives with its `<Final_answer>` opening). Never throws. */
  readPlannerReply: (raw: string, context: PlannerReplyContext) => PlannerReading;
  /** Whether readPlannerReply may ask for another try (the loop then grants session.resample.maxTries). */
  retriesPlannerReplies: boolean;
  /** Cleans an executor reply. Never throws. */
  readExecutorReply: (raw: string) => ExecutorReading;
  /** How an executor's prompt shows the plan (core/format executorPromptTail). */
  executorStrategy: ExecutorStrategy;
  /** What a forced last phase appends to the planner prompt. */
  forcedFinalTail: string;
  resampling: ResamplingRule;
  /** A plan holding `**Final Answer` and `\boxed` ends the session (core/format holdsFinalAnswerMarker). */
  finalAnswerEarlyStop: boolean;
}
