import type { ArtifactRef } from './artifact-ref';
import type { CallUsage, SessionTokens } from './accounting';
import type { Plan } from './format';
import type { MethodRunResult } from './method-result';

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

/** Sampling shared by planner and executor calls. */
export interface SamplingInput {
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
}

export interface PlanCallInput extends SamplingInput {
  prompt: string;
  phase: number;
  /** The prompt ends with `<Final_answer>\n`: the reply is the answer text. */
  forcedFinal: boolean;
  stop: string[];
  /** Fan-out cap (unset: none). */
  maxPrompts?: number;
  planTry: number;
  /** Stream and signal the calling workflow per closed prompt. */
  streamSignals: boolean;
  /** How the reply is read (session.replyHandling); absent: `platform` (inputs of older histories). */
  replies?: 'released' | 'platform';
  /** This is the last try (released handling: a reply without tags is then kept, not retried). */
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
  raw: string;
  plan: Plan;
  usage: CallUsage;
  /** Planner tokens at the end of each prompt (measured when streaming, else estimated). */
  promptEndTokens: number[];
  streamed: boolean;
  /** Signals that could not be delivered (the workflow then dispatches after the plan). */
  signalErrors?: string[];
  /** Released handling: the reply had no tags and this was not the last try; the caller tries again. */
  retry?: string;
}

export interface ExecuteCallInput extends SamplingInput {
  prompt: string;
  phase: number;
  k: number;
  stop: string[];
  /** How the reply is cleaned (session.replyHandling); absent: `platform`. */
  replies?: 'released' | 'platform';
}

export interface ExecuteCallResult extends CallTiming {
  raw: string;
  text: string;
  problems: string[];
  usage: CallUsage;
}

/** One model call as the transcript records it. */
export interface CallRecord extends CallTiming {
  kind: 'plan' | 'execute';
  phase: number;
  k?: number;
  /** Resample try (1-based). */
  try: number;
  queue: string;
  raw: string;
  usage: CallUsage;
  /** Thrown away (resampled, or a streamed executor whose plan was replaced). */
  discarded?: string;
  /** Started from the streamed plan before the plan finished. */
  streamed?: boolean;
}

export interface RoundRecord {
  phase: number;
  plan: Plan;
  /** executions[k-1] answers prompt p.k; empty for the final-answer round. */
  executions: string[];
  /** Set on the round whose planner wrote the final answer. */
  final?: string;
  forcedFinal: boolean;
  calls: CallRecord[];
  promptEndTokens: number[];
  /** Workflow clock: round start, plan done, executions done. */
  startedAt: number;
  planEndedAt: number;
  endedAt: number;
  problems: string[];
}

export type SessionStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SessionTranscript {
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
  rounds: RoundRecord[];
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
  rounds: RoundRecord[];
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
