import { verifyCountdown } from './countdown';
import { mathEquivalent } from './equivalence';
import { extractChoice, extractCountdownEquation, extractMathAnswer } from './extract';

/** What a reply is graded against. */
export type GradeTarget =
  | { kind: 'math'; answer: string }
  | { kind: 'choice'; letter: string; letters?: string }
  | { kind: 'countdown'; nums: number[]; target: number; requireIntegerDivision?: boolean };

export interface Grade {
  correct: boolean;
  /** The answer taken from the reply (null: none found). */
  extracted: string | null;
  /** Why it is wrong, where that is known (e.g. a Countdown rule). */
  reason?: string;
}

/** Extracts the answer from a reply and checks it. Never throws. */
export function gradeReply(text: string, target: GradeTarget): Grade {
  switch (target.kind) {
    case 'math': {
      const extracted = extractMathAnswer(text);
      if (extracted === null) return { correct: false, extracted, reason: 'no answer found' };
      return { correct: mathEquivalent(extracted, target.answer), extracted };
    }
    case 'choice': {
      const extracted = extractChoice(text, target.letters);
      if (extracted === null) return { correct: false, extracted, reason: 'no letter found' };
      return { correct: extracted === target.letter.toUpperCase(), extracted };
    }
    case 'countdown': {
      const extracted = extractCountdownEquation(text);
      const v = verifyCountdown(extracted, target.nums, target.target, {
        requireIntegerDivision: target.requireIntegerDivision,
      });
      return { correct: v.ok, extracted, ...(v.reason ? { reason: v.reason } : {}) };
    }
  }
}

/** The reference answer as text (for reports). */
export function referenceText(target: GradeTarget): string {
  switch (target.kind) {
    case 'math':
      return target.answer;
    case 'choice':
      return target.letter;
    case 'countdown':
      return `${target.target} from [${target.nums.join(', ')}]`;
  }
}

/**
 * Grades a method's output: the final answer block first, then the whole text; a final answer that
 * is a bare value (no `\boxed{}`) is compared as it stands.
 */
export function gradeOutput(
  output: { finalAnswer: string | null; text: string },
  target: GradeTarget,
): Grade {
  const tried: Grade[] = [];
  for (const candidate of [output.finalAnswer, output.text]) {
    if (candidate === null || !candidate.trim()) continue;
    const g = gradeReply(candidate, target);
    if (g.extracted !== null) return g;
    tried.push(g);
  }
  const bare = output.finalAnswer?.trim();
  if (bare && bare.length <= 200 && target.kind === 'math') {
    return { correct: mathEquivalent(bare, target.answer), extracted: bare };
  }
  return tried[0] ?? { correct: false, extracted: null, reason: 'empty output' };
}
