import type { Scenario } from '../test/helpers/sprint-script';

/*
 * The scripted session of the overhead bench (and of its regression test): `rounds` planning rounds
 * of `executors` prompts, then the final answer; `scale` multiplies plan and execution lengths.
 */

/** Deterministic filler text of n whitespace tokens. */
function words(n: number, seed: number): string {
  const vocab = [
    'so',
    'the',
    'value',
    'is',
    'then',
    'we',
    'add',
    'check',
    'x',
    'equals',
    'term',
    'next',
    'gives',
    'sum',
  ];
  return Array.from({ length: n }, (_, i) => vocab[(i * 7 + seed * 13) % vocab.length]).join(' ');
}

export function overheadScenario(executors: number, scale: number, rounds: number): Scenario {
  const len = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    rounds: Array.from({ length: rounds }, (_, r) => {
      const parts: (string | { prompt: string })[] = [words(len(30), r)];
      for (let k = 0; k < executors; k++)
        parts.push({ prompt: `sub-task ${r + 1}.${k + 1}: ${words(8, k)}` });
      parts.push(words(len(20), r + 1));
      return {
        parts,
        executions: Array.from({ length: executors }, (_, k) =>
          words(len(150 + ((k * 37 + r * 11) % 100)), k + r),
        ),
      };
    }),
    final: `${words(25, 3)} \\boxed{42}`,
  };
}
