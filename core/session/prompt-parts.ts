import { renderRoundParts, type Plan } from '../format';
import type { SessionText, StoredText } from '../stored-text';

/*
 * The planner prompt (core/format/prompts.ts: prefix + `<think>\n` + every finished round, each
 * followed by a blank line) as pieces, so stored texts stay stored. When an earlier planner stored
 * its prompt (`head`, covering the first `head.rounds` rounds), the prompt continues that one:
 * round r+1's prompt is round r's prompt + round r + a blank line.
 */

/** A stored planner prompt and how many finished rounds it holds. */
export interface PromptHead {
  text: StoredText;
  rounds: number;
}

/** A finished round's plan and executions, texts inline or stored. */
export interface PromptRound {
  plan: Plan;
  executions: readonly SessionText[];
}

/** The planner prompt after `rounds` (all the session's finished non-final rounds), as pieces. */
export function plannerPromptParts(
  prefix: string,
  rounds: readonly PromptRound[],
  head: PromptHead | undefined,
): SessionText[] {
  const usable = head !== undefined && head.rounds <= rounds.length;
  const parts: SessionText[] = usable ? [head.text] : [prefix, '<think>\n'];
  for (const r of rounds.slice(usable ? head.rounds : 0))
    parts.push(...renderRoundParts<SessionText>(r), '\n\n');
  return parts;
}
