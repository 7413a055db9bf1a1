import { estimatePromptEndTokens } from '../accounting';
import type { Plan } from '../format';

/*
 * Planner tokens generated when each prompt of a plan closed (the streaming figure of the
 * accounting): measured in stream chunks when the plan was streamed, else estimated from where
 * each prompt ends in the plan text.
 */

/** Stream chunks received in all, and when each prompt closed. */
export interface StreamedChunks {
  total: number;
  atPrompt: readonly number[];
}

/** Character offsets of the end of each prompt's closing tag in a canonical plan text. */
function promptEndOffsets(plan: Plan): number[] {
  return plan.prompts.map((p) => {
    const tag = `</prompt_${plan.phase}.${p.index}>`;
    const at = plan.text.indexOf(tag);
    return at < 0 ? plan.text.length : at + tag.length;
  });
}

/** Tokens at each prompt's end: chunk counts scaled to the engine's token count when streamed. */
export function promptEndTokens(plan: Plan, completionTokens: number, streamed?: StreamedChunks): number[] {
  if (streamed === undefined || streamed.total === 0)
    return estimatePromptEndTokens(completionTokens, promptEndOffsets(plan), plan.text.length);
  const { total, atPrompt } = streamed;
  return plan.prompts.map((_, i) =>
    Math.min(completionTokens, Math.ceil(((atPrompt[i] ?? total) * completionTokens) / total)),
  );
}
