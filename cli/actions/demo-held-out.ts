import type { SprintConfig } from '../../config';
import { countdownQuestion, generateCountdown } from '../../core/benchmarks';
import { generateCountdownTracesExcluding, type CountdownTraceShape } from '../../core/traces/countdown';
import { assertDisjoint, countdownKey, OverlapError } from '../../core/traces/overlap';
import { CliError, ExitCode } from '../exit-codes';

/** Training traces come from another seed than the evaluation's problems. */
export const TRACE_SEED = 2;
/**
 * The demo's training traces: the shape of the evaluation's Countdown problems
 * (evaluation.countdown), from another seed than the problems, in the checklist style (every
 * operation on the two numbers checked in full, then the answer): checks that do not depend on
 * each other's results and whose work is long against the plan line naming them, the shape in
 * which SPRINT saves sequential tokens (docs/demo.md#the-trace-style).
 */
export function demoTraceSource(config: SprintConfig): {
  generateSeed: number;
  traceShape: CountdownTraceShape;
} {
  const {
    count: _count,
    seed: _seed,
    requireIntegerDivision: _exact,
    distinct: _distinct,
    ...shape
  } = config.evaluation.countdown;
  return {
    generateSeed: TRACE_SEED,
    traceShape: { ...shape, style: 'checklist' },
  };
}

/** The first `count` problems the evaluation runs (evaluation.countdown, its seed), as numbers and target. */
export function evaluationProblems(
  config: SprintConfig,
  count: number,
): { nums: number[]; target: number }[] {
  const cd = config.evaluation.countdown;
  return generateCountdown(count, cd.seed, cd).flatMap((p) =>
    p.target.kind === 'countdown' ? [{ nums: p.target.nums, target: p.target.target }] : [],
  );
}

/**
 * The held-out split: the evaluation's problems, and the training traces drawn without them (as
 * the curation activity draws them from the same seed and exclusion list), checked disjoint.
 * Throws a usage error naming the shared problems when they are not, so no run trains on them.
 */
export function heldOutSplit(
  config: SprintConfig,
  traces: number,
  problems: number,
): { evaluation: { nums: number[]; target: number }[]; lines: string[] } {
  const evaluation = evaluationProblems(config, problems);
  const { generateSeed, traceShape } = demoTraceSource(config);
  const training = generateCountdownTracesExcluding(
    traces,
    generateSeed,
    traceShape,
    countdownQuestion,
    evaluation,
  );
  let counts: { evaluation: number; training: number };
  try {
    counts = assertDisjoint(evaluation, training);
  } catch (err) {
    if (err instanceof OverlapError)
      throw new CliError(`held-out check failed: ${err.message}`, ExitCode.failed);
    throw err;
  }
  const cd = config.evaluation.countdown;
  const keys = evaluation.map(countdownKey);
  const lines = [
    `held out: ${evaluation.length} evaluation problems (seed ${cd.seed}, ${counts.evaluation} distinct), none of them among the ${traces} training traces (seed ${generateSeed}, ${counts.training} distinct problems; numbers and target compared): checked`,
  ];
  for (let i = 0; i < keys.length; i += 12) lines.push(`  ${keys.slice(i, i + 12).join('  ')}`);
  return { evaluation, lines };
}
