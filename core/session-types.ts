import type { ArtifactRef } from './artifact-ref';
import type { CallUsage, SessionTokens } from './accounting';
import type { ExecutorStrategy, Plan } from './format';
import type { MethodRunResult } from './method-result';
import type { SessionProfile } from './session/policies';
import type { SessionText, StoredText } from './stored-text';

export type { SessionText, StoredText } from './stored-text';

/*
 * Shapes shared by the SPRINT session workflow, its activities and the CLI. Types and constants
 * only (safe in workflow code).
 */

/** Signal the streaming planner activity sends per closed `</prompt_p.k>`. */
export const PROMPT_CLOSED_SIGNAL = 'sprintPromptClosed';
export const PROGRESS_QUERY = 'progress';

export interface PromptClosed {
  phase: number;
  /** Resample try of the plan (1-based) and Temporal attempt of its activity. */
  planTry: number;
  attempt: number;
  /** 1-based prompt index after renumbering. */
  k: number;
  /** Canonical plan text up to and including `</prompt_p.k>`. */
  planPrefix: string;
  /** Planner tokens (stream chunks) generated when the prompt closed. */
  tokensSoFar: number;
}

/** A prompt as a model call receives it: one string, or pieces (inline or stored) to concatenate. */
export type CallPromptText = string | SessionText[];

/** Sampling shared by planner and executor calls. */
export interface SamplingInput {
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
}

/**
 * How a session's model call moves text past Temporal's payload limits (absent: all inline, as
 * older histories and the sequential baseline do).
 */
export interface CallTextLimits {
  /** Replies (raw and cleaned) longer than this are stored and returned as StoredText. */
  storeRepliesPast?: number;
  /** The planner stores a (non-forced) prompt longer than this and returns it as `promptStored`. */
  storePromptPast?: number;
}

export interface PlanCallInput extends SamplingInput, CallTextLimits {
  prompt: CallPromptText;
  phase: number;
  /** The prompt ends with `<Final_answer>\n`: the reply is the answer text. */
  forcedFinal: boolean;
  stop: string[];
  /** Fan-out cap (unset: none). */
  maxPrompts?: number;
  planTry: number;
  /** Stream and signal the calling workflow per closed prompt. */
  streamSignals: boolean;
  /**
   * The profile whose policy reads the reply (session.replyHandling, core/session/policies);
   * absent: UNNAMED_REPLIES_PROFILE (inputs of older histories).
   */
  replies?: SessionProfile;
  /** No try follows (a policy that asks again for a reply then keeps whatever came); absent: true. */
  lastTry?: boolean;
}

export interface CallTiming {
  /** Worker wall clock (ms since epoch) when the model call started and ended. */
  startedAt: number;
  endedAt: number;
  latencyMs: number;
  pool: string;
  replica: string;
  /** Temporal attempt that produced this result. */
  attempt: number;
  finishReason: string;
}

/** The timing and placement fields of a call result (what a transcript's CallRecord keeps of them). */
export function callTimingOf(result: CallTiming): CallTiming {
  const { startedAt, endedAt, latencyMs, pool, replica, attempt, finishReason } = result;
  return { startedAt, endedAt, latencyMs, pool, replica, attempt, finishReason };
}

export interface PlanCallResult extends CallTiming {
  raw: SessionText;
  /** The prompt as stored (when longer than `storePromptPast`): later prompts continue it by reference. */
  promptStored?: StoredText;
  /** `plan.text` as stored (when longer than `storeRepliesPast`): executor prompts carry it by reference. */
  planTextStored?: StoredText;
  plan: Plan;
  usage: CallUsage;
  /** Planner tokens at the end of each prompt (measured when streaming, else estimated). */
  promptEndTokens: number[];
  streamed: boolean;
  /** Signals that could not be delivered (the workflow then dispatches after the plan). */
  signalErrors?: string[];
  /** The policy's reader asks for another try (this was not the last one), for this reason. */
  retry?: string;
}

/**
 * The end of an executor's prompt when its plan text is stored: the activity reads the text and
 * renders the tail (core/format executorPromptTail) after `prompt`.
 */
export interface ExecutorTail {
  phase: number;
  planText: StoredText;
  k: number;
  strategy: ExecutorStrategy;
}

export interface ExecuteCallInput extends SamplingInput, CallTextLimits {
  prompt: CallPromptText;
  /** Rendered after `prompt` (absent: `prompt` is the whole prompt). */
  tail?: ExecutorTail;
  phase: number;
  k: number;
  stop: string[];
  /** The profile whose policy cleans the reply (session.replyHandling); absent: UNNAMED_REPLIES_PROFILE. */
  replies?: SessionProfile;
}

export interface ExecuteCallResult extends CallTiming {
  raw: SessionText;
  text: SessionText;
  problems: string[];
  usage: CallUsage;
}

/**
 * One model call as the transcript records it. `T` is how its texts are held: `string` in a stored
 * transcript (what readers get), SessionText inside the workflow and in the progress query.
 */
export interface CallRecord<T extends SessionText = string> extends CallTiming {
  kind: 'plan' | 'execute';
  phase: number;
  k?: number;
  /** Resample try (1-based). */
  try: number;
  queue: string;
  raw: T;
  usage: CallUsage;
  /** Thrown away (resampled, or a streamed executor whose plan was replaced). */
  discarded?: string;
  /** Started from the streamed plan before the plan finished. */
  streamed?: boolean;
}

export interface RoundRecord<T extends SessionText = string> {
  phase: number;
  plan: Plan;
  /** executions[k-1] answers prompt p.k; empty for the final-answer round. */
  executions: T[];
  /** Set on the round whose planner wrote the final answer. */
  final?: string;
  forcedFinal: boolean;
  calls: CallRecord<T>[];
  promptEndTokens: number[];
  /** Workflow clock: round start, plan done, executions done. */
  startedAt: number;
  planEndedAt: number;
  endedAt: number;
  problems: string[];
}

export type SessionStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SessionTranscript<T extends SessionText = string> {
  version: 1;
  workflowId: string;
  question: string;
  status: SessionStatus;
  /** Workflow clock at the session's first start (kept across continue-as-new). */
  startedAt: number;
  endedAt?: number;
  /** Workflow runs so far (1 + continue-as-new count). */
  runs: number;
  settings: Record<string, unknown>;
  routing: { planner: RouteSnapshot; executor: RouteSnapshot };
  rounds: RoundRecord<T>[];
  final: string | null;
  problems: string[];
  tokens: SessionTokens;
}

export interface RouteSnapshot {
  pool: string;
  model: string;
  replica?: string;
  queue: string;
  failedOver: boolean;
}

/** What the `progress` query returns. */
export interface SessionProgress {
  workflowId: string;
  question: string;
  status: SessionStatus;
  /** Phase being worked on (0 before the first). */
  phase: number;
  activity: 'planning' | 'executing' | 'idle';
  /**
   * Finished rounds from `roundsFrom` (the query's argument) on, as many as fit the query's size
   * budget; long texts come as StoredText (io/session-texts.ts reads them). `roundCount` is how many
   * rounds the session has finished in all.
   */
  rounds: RoundRecord<SessionText>[];
  roundsFrom: number;
  roundCount: number;
  final: string | null;
  tokens: SessionTokens;
  problems: string[];
  routing: { planner: RouteSnapshot; executor: RouteSnapshot };
  startedAt: number;
  runs: number;
  /** Refs of transcript checkpoints written at continue-as-new. */
  checkpoints: ArtifactRef[];
}

/** What a SPRINT session workflow returns: the method result plus the session's own record. */
export interface SessionResult extends MethodRunResult {
  workflowId: string;
  status: SessionStatus;
  problems: string[];
  /** Prefill/cached tokens and the streaming figure are in `tokens`; per round here. */
  roundTokens: { phase: number; sequential: number; sequentialStreaming: number; total: number }[];
  routing: { planner: RouteSnapshot; executor: RouteSnapshot };
}
