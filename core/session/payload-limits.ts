import type { CallPromptText } from '../session-types';
import type { SessionText } from '../stored-text';

/*
 * Temporal refuses a payload over 2 MB, a gRPC message (e.g. the workflow-task completion that
 * schedules a round's executors) over 4 MB, and a history over 50 MB. The largest session the
 * defaults allow (12 rounds x 16 executors x 8,000 tokens, ~6.5 MB of text) passes all three when
 * texts travel inline. So, past these sizes, a session moves text through the artifact store:
 *   - a model call stores a reply longer than STORE_REPLIES_PAST and returns a StoredText;
 *   - the planner stores a prompt longer than STORE_PROMPT_PAST; the next prompts continue it by
 *     reference (the history sent once per round, not once per call; small, so that sessions of
 *     the paper's scale gain it too);
 *   - a transcript written or checkpointed, and a progress answer, carry at most PAYLOAD_BUDGET_CHARS
 *     inline: past it, the longest texts are stored first.
 * So model workers read and write the control worker's artifact store (`artifacts.root`: the same
 * folder locally, a shared volume across machines), from the second round of most sessions on.
 *
 * Sizes are UTF-16 code units (`string.length`, cheap in workflow code). A unit is at most 3 bytes
 * of UTF-8 and JSON escapes few, so PAYLOAD_BUDGET_CHARS stays under 2 MB on the wire.
 */

/** Replies longer than this (~2,000 tokens) are stored by the model call. */
export const STORE_REPLIES_PAST = 8 * 1024;

/**
 * Planner prompts longer than this are stored, and executors and later rounds continue them by
 * reference. Low on purpose: besides the limits, it takes the history out of the workflow task that
 * schedules a round's executors and out of every executor's input (issue 16,
 * docs/benchmarks.md); only the first rounds' short prompts travel inline.
 */
export const STORE_PROMPT_PAST = 2 * 1024;

/**
 * Streamed executors start before the planner has stored its prompt, so they carry its pieces
 * inline: a round whose pieces are longer than this dispatches its executors after the plan.
 */
export const STREAMED_PROMPT_INLINE_MAX = 32 * 1024;

/** The most inline text one transcript write, checkpoint, result or progress answer carries. */
export const PAYLOAD_BUDGET_CHARS = 400 * 1024;

/** Pieces with adjacent strings joined and empty strings dropped. */
export function joinParts(parts: readonly SessionText[]): SessionText[] {
  const out: SessionText[] = [];
  for (const p of parts) {
    if (p === '') continue;
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

/** Inline characters of a prompt or pieces (stored pieces count nothing). */
export function inlineChars(prompt: CallPromptText): number {
  if (typeof prompt === 'string') return prompt.length;
  return prompt.reduce((n, p) => n + (typeof p === 'string' ? p.length : 0), 0);
}

/** The prompt a model call is given: one string when nothing is stored, else the joined pieces. */
export function callPrompt(parts: readonly SessionText[]): CallPromptText {
  // Joined, strings never neighbour: more than one piece means a stored one is among them.
  const joined = joinParts(parts);
  const only = joined[0];
  if (only === undefined) return '';
  return joined.length === 1 && typeof only === 'string' ? only : joined;
}
