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
