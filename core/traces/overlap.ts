/*
 * How many evaluation problems also appear among the training traces. The demo's problem space is
 * small (two numbers up to 9), so problems drawn from different seeds still repeat; the demo reports
 * the fraction instead of hiding it. A problem is its numbers (in any order) and its target. Pure.
 */

export interface CountdownInstance {
  nums: readonly number[];
  target: number;
}

const key = (p: CountdownInstance) => `${[...p.nums].sort((a, b) => a - b).join(',')}->${p.target}`;

/** The evaluation problems whose numbers (as a multiset) and target a training trace also has. */
export function countdownOverlap(
  evaluation: readonly CountdownInstance[],
  training: readonly CountdownInstance[],
): { shared: number; of: number } {
  const seen = new Set(training.map(key));
  return { shared: evaluation.filter((p) => seen.has(key(p))).length, of: evaluation.length };
}
