/*
 * Pure parts of the baseline methods (safe in workflows): prompt text for Skeleton-of-Thought, the
 * skeleton parser, and the self-consistency vote. The prompts are this project's own wording.
 */
import { extractChoice, extractCountdownEquation, extractMathAnswer } from '../grading/extract';
import { normalizeMath } from '../grading/normalize';

/** How a method reads the answer out of a reply (the benchmark's answer shape). */
export const answerKinds = ['math', 'choice', 'countdown'] as const;
export type AnswerKind = (typeof answerKinds)[number];

/**
 * Default raw-completion template: the DeepSeek-R1-Distill chat template for one user turn, the
 * assistant turn opened. `{question}` is replaced by the method's user message.
 */
export const DEFAULT_PROMPT_TEMPLATE = '<｜begin▁of▁sentence｜><｜User｜>{question}<｜Assistant｜>';

export function applyTemplate(template: string, userMessage: string): string {
  if (!template.includes('{question}')) throw new Error('prompt template must contain {question}');
  return template.split('{question}').join(userMessage);
}

// ---------------------------------------------------------------- Skeleton-of-Thought

export function skeletonMessage(question: string, maxPoints: number): string {
  return (
    `${question}\n\n` +
    'Do not solve the problem yet. Write only a skeleton of the solution: a numbered list of at most ' +
    `${maxPoints} short steps (a few words each) that can be worked out independently, one per line, ` +
    'in the form "1. ...". Write nothing else.'
  );
}

export function pointMessage(question: string, skeleton: string[], index: number): string {
  const list = skeleton.map((p, i) => `${i + 1}. ${p}`).join('\n');
  return (
    `${question}\n\nA plan for the solution:\n${list}\n\n` +
    `Carry out step ${index + 1} only ("${skeleton[index]}"). Be concise and give the result of this step.`
  );
}

export function joinMessage(
  question: string,
  skeleton: string[],
  expansions: string[],
  answerKind: AnswerKind,
): string {
  const worked = skeleton.map((p, i) => `Step ${i + 1}. ${p}\n${expansions[i]?.trim() ?? ''}`).join('\n\n');
  const ask =
    answerKind === 'choice'
      ? 'end with a line "Answer: X" where X is the letter of the correct option.'
      : answerKind === 'countdown'
        ? 'give the final equation alone in \\boxed{}.'
        : 'put the final answer within \\boxed{}.';
  return `${question}\n\nWorked steps:\n${worked}\n\nUsing these steps, state the solution briefly and ${ask}`;
}

/** Numbered points of a skeleton reply (`1. x`, `2) y`, `Step 3: z`), capped; never empty for non-empty text. */
export function parseSkeleton(text: string, maxPoints: number): string[] {
  const body = text.replace(/<\/?think>/g, '');
  const points: string[] = [];
  for (const line of body.split('\n')) {
    const m = /^\s*(?:[-*]\s*)?(?:step\s*)?(\d{1,2})\s*[.):]\s*(.+?)\s*$/i.exec(line);
    if (m && m[2]!.trim()) points.push(m[2]!.trim());
  }
  if (!points.length && body.trim()) points.push(body.trim().split('\n')[0]!.slice(0, 200));
  return points.slice(0, maxPoints);
}

// ---------------------------------------------------------------- self-consistency

/** The answer of one sample in vote-ready form (normalised), or null when it has none. */
export function voteKey(text: string, kind: AnswerKind): { answer: string; key: string } | null {
  if (kind === 'choice') {
    const letter = extractChoice(text);
    return letter ? { answer: letter, key: letter } : null;
  }
  if (kind === 'countdown') {
    const eq = extractCountdownEquation(text);
    return eq ? { answer: eq, key: eq.replace(/\s+/g, '') } : null;
  }
  const ans = extractMathAnswer(text);
  if (ans === null) return null;
  const key = normalizeMath(ans);
  return key ? { answer: ans, key } : null;
}

export interface VoteResult {
  /** Index of the sample whose answer won (the first sample with the winning key). */
  winner: number | null;
  answer: string | null;
  /** Votes per normalised answer, most first. */
  tally: { key: string; votes: number }[];
}

/** Majority vote on normalised answers; ties go to the answer seen first. Samples without an answer abstain. */
export function majorityVote(texts: string[], kind: AnswerKind): VoteResult {
  const counts = new Map<string, { votes: number; first: number; answer: string }>();
  texts.forEach((t, i) => {
    const v = voteKey(t, kind);
    if (!v) return;
    const c = counts.get(v.key);
    if (c) c.votes++;
    else counts.set(v.key, { votes: 1, first: i, answer: v.answer });
  });
  const ranked = [...counts.entries()].sort((a, b) => b[1].votes - a[1].votes || a[1].first - b[1].first);
  const top = ranked[0];
  return {
    winner: top ? top[1].first : null,
    answer: top ? top[1].answer : null,
    tally: ranked.map(([key, c]) => ({ key, votes: c.votes })),
  };
}

/** The final-answer text a method reports for a voted answer (graded by the same extractors). */
export function renderAnswer(answer: string, kind: AnswerKind): string {
  return kind === 'choice' ? `Answer: ${answer}` : `\\boxed{${answer}}`;
}
