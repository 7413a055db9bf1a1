import type { ArtifactRef } from './artifact-ref';
import type { RunPriority } from './priority/mapping';
import type { SessionText } from './stored-text';

/** The inference methods the platform serves and evaluates (the one list: config, CLI, workflows). */
export const methodNames = ['sprint', 'sequential', 'sot', 'sc'] as const;
export type MethodName = (typeof methodNames)[number];

/**
 * The methods whose run is one session's text: SPRINT (tag format) and the sequential baseline (plain
 * text). `sprint ask --mode` runs them; transcripts scored from elsewhere are read as one or the other.
 */
export const sessionMethodNames = ['sprint', 'sequential'] as const satisfies readonly MethodName[];
export type SessionMethodName = (typeof sessionMethodNames)[number];

/** Token accounting of one run of a method on one question (see docs/sprint-format.md#sequential-tokens). */
export interface MethodTokens {
  /** Latency proxy: seed definition (per round: planner + longest executor); generated tokens for sequential. */
  sequential: number;
  /** Streaming-dispatch refinement (per round: max over k of planner-up-to-prompt-k + execution k). */
  sequentialStreaming?: number;
  /** All generated tokens (compute). */
  total: number;
  /** Prompt (prefill) tokens over all calls. */
  prompt: number;
  /** Prompt tokens served from the engine's prefix cache, where reported. */
  cachedPrompt: number;
}

/**
 * What every method workflow (sprint session, sequential, Skeleton-of-Thought, self-consistency)
 * returns: the contract between serving and evaluation.
 */
export interface MethodRunResult {
  method: MethodName;
  /**
   * The full generated text (the trajectory, for SPRINT in its tag format); stored (StoredText)
   * when too long for a Temporal payload (io/session-texts.ts reads it).
   */
  text: SessionText;
  /** The final answer block (`<Final_answer>` content) or, for plain text, the text to grade. */
  finalAnswer: string | null;
  /** Planner rounds (1 for sequential). */
  rounds: number;
  /** Executor prompts per round (empty for sequential). */
  promptsPerRound: number[];
  tokens: MethodTokens;
  wallMs: number;
  /** Full transcript (every call, its text and usage) in the artifact store. */
  transcript?: ArtifactRef;
}

/** A method result with its text read back (io/session-texts.ts readResultText), as responses render it. */
export type MethodRunWithText = Omit<MethodRunResult, 'text'> & { text: string };

/** Input shared by the method workflows. */
export interface MethodRunInput {
  question: string;
  /** Pool (config.models.pools) that serves the calls; default the planner role's pool. */
  pool?: string;
  /** Method-specific settings; each workflow documents and validates its own. */
  settings?: Record<string, unknown>;
  /** Priority and fairness of the run's model calls (docs/priority.md); absent: the server's default. */
  priority?: RunPriority;
}
