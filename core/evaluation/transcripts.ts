/*
 * Accounting of transcripts produced elsewhere (`sprint eval score`), without a tokenizer: token
 * counts are approximated as ceil(characters / charsPerToken). SPRINT tag format or plain text.
 */
import { parseTrajectory } from '../format';
import type { MethodTokens, SessionMethodName } from '../method-result';

export interface TranscriptAccount {
  format: SessionMethodName;
  rounds: number;
  promptsPerRound: number[];
  tokens: MethodTokens;
}

export function approxTokens(text: string, charsPerToken: number): number {
  const t = text.trim();
  return t ? Math.ceil(t.length / charsPerToken) : 0;
}

/**
 * The generated part of a logged transcript: a released log holds the model input after the system
 * prompt (`<Question>...</Question>\n\n<think>\n` then the reply), and that prefix is prompt, not
 * output: it is neither graded (its `\boxed{}` instruction is no answer) nor counted as generated.
 */
export function generatedPart(text: string): string {
  // `<think>\n` right after the question is part of the released prompt too (docs/sprint-format.md#released-inference-loop)
  const q = /<Question>[\s\S]*?<\/Question>\s*(?:<think>\n?)?/.exec(text);
  return q ? text.slice(q.index + q[0].length) : text;
}

/** Whether a text is in the SPRINT tag format (plans or a final-answer block). */
export function isSprintFormat(text: string): boolean {
  return /<Plan_\d+>/.test(text) || /<Final_answer>/.test(text);
}

/**
 * Rounds of a SPRINT transcript, read by the session parser (`core/format`: stray tags, unclosed
 * tags at a length cut, phases out of order are repaired there). Sequential tokens = sum over rounds
 * of (plan + longest execution) + the final-answer block, which counts as a last round with no
 * prompt, as the session workflow counts it (seed definition, docs/sprint-format.md#sequential-tokens).
 */
export function accountTranscript(text: string, charsPerToken = 4): TranscriptAccount {
  if (!isSprintFormat(text)) {
    const n = approxTokens(generatedPart(text), charsPerToken);
    return {
      format: 'sequential',
      rounds: 1,
      promptsPerRound: [],
      tokens: { sequential: n, total: n, prompt: 0, cachedPrompt: 0 },
    };
  }
  const tok = (s: string) => approxTokens(s, charsPerToken);
  const parsed = parseTrajectory(text);
  let sequential = 0;
  let total = 0;
  const promptsPerRound: number[] = [];
  for (const round of parsed.rounds) {
    const plan = tok(round.plan.text);
    const executions = round.executions.map(tok);
    promptsPerRound.push(round.plan.prompts.length);
    sequential += plan + Math.max(0, ...executions);
    total += plan + executions.reduce((a, b) => a + b, 0);
  }
  if (parsed.final !== null) {
    const fin = tok(parsed.final);
    sequential += fin;
    total += fin;
    promptsPerRound.push(0);
  }
  return {
    format: 'sprint',
    rounds: Math.max(1, promptsPerRound.length),
    promptsPerRound,
    tokens: { sequential, total, prompt: 0, cachedPrompt: 0 },
  };
}
