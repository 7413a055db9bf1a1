/*
 * How many evaluation problems also appear among the training traces. The demo's problem space is
 * small (two numbers up to 9), so problems drawn from different seeds still repeat; the demo reports
 * the fraction instead of hiding it. A problem is its numbers (in any order) and its target. Pure.
 */

export interface CountdownInstance {
  nums: readonly number[];
  target: number;
}

/** A problem's identity: its numbers as a multiset (sorted) and its target, e.g. `3,5->8`. */
export const countdownKey = (p: CountdownInstance): string =>
  `${[...p.nums].sort((a, b) => a - b).join(',')}->${p.target}`;
const key = countdownKey;

/** The evaluation problems whose numbers (as a multiset) and target a training trace also has. */
export function countdownOverlap(
  evaluation: readonly CountdownInstance[],
  training: readonly CountdownInstance[],
): { shared: number; of: number } {
  const seen = new Set(training.map(key));
  return { shared: evaluation.filter((p) => seen.has(key(p))).length, of: evaluation.length };
}

/** Thrown when held-out evaluation problems turn up among the training problems. */
export class OverlapError extends Error {}

/**
 * Checks that no evaluation problem is a training problem (numbers and target). Throws an
 * OverlapError naming the shared problems (the first ten) and how many there are; returns the
 * number of distinct problems on each side for the report.
 */
export function assertDisjoint(
  evaluation: readonly CountdownInstance[],
  training: readonly CountdownInstance[],
): { evaluation: number; training: number } {
  const trainKeys = new Set(training.map(key));
  const shared = [...new Set(evaluation.map(key))].filter((k) => trainKeys.has(k));
  if (shared.length)
    throw new OverlapError(
      `${shared.length} evaluation problem(s) are also training problems (numbers -> target): ${shared.slice(0, 10).join('; ')}${shared.length > 10 ? '; ...' : ''}`,
    );
  return { evaluation: new Set(evaluation.map(key)).size, training: trainKeys.size };
}
