/*
 * Agreement between two graders on the same outputs (the built-in grader and a cross-check such as
 * math-verify): how often their verdicts are equal, and where they differ. Pure.
 */

export interface Verdict {
  id: string;
  correct: boolean;
  /** The other grader could not grade this output (counted as not correct, and listed). */
  error?: string;
}

export interface Disagreement {
  id: string;
  builtin: boolean;
  other: boolean;
  error?: string;
}

export interface GraderAgreement {
  grader: string;
  /** Outputs graded by both. */
  compared: number;
  agreed: number;
  /** agreed / compared (0 when nothing was compared). */
  rate: number;
  /** Correct by the built-in grader, and by the other one. */
  builtinCorrect: number;
  otherCorrect: number;
  disagreements: Disagreement[];
  /** Outputs the other grader reported an error for. */
  errors: number;
}

/** Compares verdicts by id; ids the other grader did not return are an error in the caller. */
export function graderAgreement(grader: string, builtin: Verdict[], other: Verdict[]): GraderAgreement {
  const theirs = new Map(other.map((v) => [v.id, v]));
  const disagreements: Disagreement[] = [];
  let compared = 0;
  let agreed = 0;
  let builtinCorrect = 0;
  let otherCorrect = 0;
  let errors = 0;
  for (const mine of builtin) {
    const o = theirs.get(mine.id);
    if (!o) throw new Error(`${grader} returned no verdict for ${mine.id}`);
    compared++;
    if (mine.correct) builtinCorrect++;
    if (o.correct) otherCorrect++;
    if (o.error !== undefined) errors++;
    if (mine.correct === o.correct) agreed++;
    else
      disagreements.push({
        id: mine.id,
        builtin: mine.correct,
        other: o.correct,
        ...(o.error !== undefined ? { error: o.error } : {}),
      });
  }
  return {
    grader,
    compared,
    agreed,
    rate: compared ? agreed / compared : 0,
    builtinCorrect,
    otherCorrect,
    disagreements,
    errors,
  };
}
