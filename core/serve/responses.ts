import { renderFinalAnswer } from '../format';
import type { MethodName, MethodRunResult, MethodRunWithText, MethodTokens } from '../method-result';

/*
 * OpenAI-shaped response bodies and stream chunks for a finished (or running) method run. The
 * answer is `content` (`text` for completions); the reasoning (a SPRINT trajectory, or a baseline's
 * whole generation) goes out under both names reasoning models are read by: `reasoning` (vLLM's
 * current field) and `reasoning_content` (older vLLM, the DeepSeek API, Open WebUI). `usage` adds
 * `sequential_tokens`, the latency measure of docs/sprint-format.md#sequential-tokens.
 */

export interface ServeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  sequential_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function usageOf(tokens: MethodTokens): ServeUsage {
  return {
    prompt_tokens: tokens.prompt,
    completion_tokens: tokens.total,
    total_tokens: tokens.prompt + tokens.total,
    sequential_tokens: tokens.sequential,
    prompt_tokens_details: { cached_tokens: tokens.cachedPrompt },
  };
}

/** What identifies the run in every body and chunk. */
export interface RunIdentity {
  /** Response id, stable per workflow (a retried request gets the same one). */
  id: string;
  created: number;
  model: string;
  workflowId: string;
  method: MethodName;
}

/** The `sprint` extension object: where the run lives and what it did. */
function sprintInfo(run: RunIdentity, result?: MethodRunResult) {
  return {
    workflow_id: run.workflowId,
    method: run.method,
    ...(result
      ? {
          rounds: result.rounds,
          prompts_per_round: result.promptsPerRound,
          wall_ms: result.wallMs,
          ...(result.tokens.sequentialStreaming !== undefined
            ? { sequential_tokens_streaming: result.tokens.sequentialStreaming }
            : {}),
        }
      : {}),
  };
}

/** The answer text: the final answer block, or the whole text when the run wrote none. */
export function answerOf(result: MethodRunWithText): string {
  return result.finalAnswer ?? result.text;
}

/**
 * The reasoning of a run: for SPRINT its rounds (the trajectory without the final answer block,
 * which is the answer), for the baselines their whole generation.
 */
export function reasoningOf(result: MethodRunWithText): string {
  if (result.method !== 'sprint' || result.finalAnswer === null) return result.text;
  const block = renderFinalAnswer(result.finalAnswer);
  if (!result.text.endsWith(block)) return result.text;
  return result.text.slice(0, result.text.length - block.length).replace(/\n\n$/, '');
}

/** `length` when the run ended without an answer (cut at its limits), else `stop`. */
export function finishReasonOf(result: MethodRunResult): 'stop' | 'length' {
  return result.finalAnswer === null ? 'length' : 'stop';
}

/** The reasoning under both of its field names, so clients of either generation find it. */
export function reasoningFields(text: string): { reasoning: string; reasoning_content: string } {
  return { reasoning: text, reasoning_content: text };
}

export function chatCompletionBody(run: RunIdentity, result: MethodRunWithText) {
  return {
    id: run.id,
    object: 'chat.completion' as const,
    created: run.created,
    model: run.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: answerOf(result),
          ...reasoningFields(reasoningOf(result)),
        },
        finish_reason: finishReasonOf(result),
        logprobs: null,
      },
    ],
    usage: usageOf(result.tokens),
    sprint: sprintInfo(run, result),
  };
}

export function completionBody(run: RunIdentity, result: MethodRunWithText) {
  return {
    id: run.id,
    object: 'text_completion' as const,
    created: run.created,
    model: run.model,
    choices: [{ index: 0, text: answerOf(result), finish_reason: finishReasonOf(result), logprobs: null }],
    usage: usageOf(result.tokens),
    sprint: sprintInfo(run, result),
  };
}

export type ChatDelta = {
  role?: 'assistant';
  content?: string;
  reasoning?: string;
  reasoning_content?: string;
};

export function chatChunk(run: RunIdentity, delta: ChatDelta, finishReason?: 'stop' | 'length') {
  return {
    id: run.id,
    object: 'chat.completion.chunk' as const,
    created: run.created,
    model: run.model,
    choices: [{ index: 0, delta, finish_reason: finishReason ?? null, logprobs: null }],
  };
}

export function completionChunk(run: RunIdentity, text: string, finishReason?: 'stop' | 'length') {
  return {
    id: run.id,
    object: 'text_completion' as const,
    created: run.created,
    model: run.model,
    choices: [{ index: 0, text, finish_reason: finishReason ?? null, logprobs: null }],
  };
}

/** The last chunk of a stream: no choices, the run's usage (as `stream_options.include_usage` asks). */
export function usageChunk(
  run: RunIdentity,
  object: 'chat.completion.chunk' | 'text_completion',
  result: MethodRunResult,
) {
  return {
    id: run.id,
    object,
    created: run.created,
    model: run.model,
    choices: [],
    usage: usageOf(result.tokens),
    sprint: sprintInfo(run, result),
  };
}

/** OpenAI's error body. */
export function errorBody(message: string, type: string, param?: string) {
  return { error: { message, type, param: param ?? null, code: null } };
}
