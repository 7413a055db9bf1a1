/*
 * Accounting of transcripts produced elsewhere (`sprint eval score`), without a tokenizer: token
 * counts are approximated as ceil(characters / charsPerToken). SPRINT tag format or plain text.
 */
import type { MethodTokens } from '../method-result';

export interface TranscriptAccount {
  format: 'sprint' | 'sequential';
  rounds: number;
  promptsPerRound: number[];
  tokens: MethodTokens;
}

export function approxTokens(text: string, charsPerToken: number): number {
  const t = text.trim();
  return t ? Math.ceil(t.length / charsPerToken) : 0;
}

/** Whether a text is in the SPRINT tag format (plans or a final-answer block). */
export function isSprintFormat(text: string): boolean {
  return /<Plan_\d+>/.test(text) || /<Final_answer>/.test(text);
}

/**
 * Rounds of a SPRINT transcript: each `<Plan_p>` with the executions of `<Execution_p>`. Sequential
 * tokens = sum over rounds of (plan + longest execution) + the final-answer block (seed definition);
 * unclosed tags at a length cut run to the next tag or the end.
 */
export function accountTranscript(text: string, charsPerToken = 4): TranscriptAccount {
  if (!isSprintFormat(text)) {
    const n = approxTokens(text, charsPerToken);
    return {
      format: 'sequential',
      rounds: 1,
      promptsPerRound: [],
      tokens: { sequential: n, total: n, prompt: 0, cachedPrompt: 0 },
    };
  }
  const tok = (s: string) => approxTokens(s, charsPerToken);
  const block = (open: string, close: string, from: number): { body: string; end: number } | null => {
    const i = text.indexOf(open, from);
    if (i < 0) return null;
    const start = i + open.length;
    const j = text.indexOf(close, start);
    const next = text.slice(start).search(/<(?:Plan_|Execution_|Final_answer)/);
    const end = j >= 0 && (next < 0 || start + next > j) ? j : next >= 0 ? start + next : text.length;
    return { body: text.slice(start, end), end: j >= 0 && end === j ? j + close.length : end };
  };
  const phases = [...new Set([...text.matchAll(/<Plan_(\d+)>/g)].map((m) => Number(m[1])))].sort(
    (a, b) => a - b,
  );
  let sequential = 0;
  let total = 0;
  const promptsPerRound: number[] = [];
  for (const p of phases) {
    const plan = block(`<Plan_${p}>`, `</Plan_${p}>`, 0);
    const planTokens = plan ? tok(plan.body) : 0;
    const exec = block(`<Execution_${p}>`, `</Execution_${p}>`, 0);
    const executions = exec
      ? [...exec.body.matchAll(/<execution_\d+\.\d+>([\s\S]*?)(?:<\/execution_\d+\.\d+>|$)/g)].map((m) =>
          tok(m[1]!),
        )
      : [];
    promptsPerRound.push(plan ? (plan.body.match(/<prompt_\d+\.\d+>/g) ?? []).length : 0);
    sequential += planTokens + Math.max(0, ...executions);
    total += planTokens + executions.reduce((a, b) => a + b, 0);
  }
  const final = block('<Final_answer>', '</Final_answer>', 0);
  if (final) {
    // the final-answer phase counts as a round with no prompt, as the session workflow counts it
    sequential += tok(final.body);
    total += tok(final.body);
    promptsPerRound.push(0);
  }
  return {
    format: 'sprint',
    rounds: Math.max(1, promptsPerRound.length),
    promptsPerRound,
    tokens: { sequential, total, prompt: 0, cachedPrompt: 0 },
  };
}
