import * as path from 'node:path';
import fc from 'fast-check';
import { heldOutSplit, evaluationProblems, demoTraceSource } from '../../cli/actions/demo-held-out';
import { loadConfig } from '../../config';
import { countdownQuestion, defaultCountdown, generateCountdown } from '../../core/benchmarks';
import {
  generateCountdownTraces,
  generateCountdownTracesExcluding,
  type CountdownTraceShape,
} from '../../core/traces/countdown';
import { assertDisjoint, countdownKey, OverlapError } from '../../core/traces/overlap';

const shape: CountdownTraceShape = {
  minNumbers: 2,
  maxNumbers: 2,
  numberMax: 9,
  targetMin: 1,
  targetMax: 100,
  maxFailedAttempts: 1,
  style: 'terse',
  verify: false,
};

describe('held-out evaluation problems', () => {
  it('assertDisjoint: passes disjoint sets, names the shared problems otherwise', () => {
    const training = [
      { nums: [3, 5], target: 8 },
      { nums: [2, 2], target: 4 },
    ];
    expect(assertDisjoint([{ nums: [3, 5], target: 15 }], training)).toEqual({ evaluation: 1, training: 2 });
    // The same numbers in another order with the same target is the same problem.
    expect(() =>
      assertDisjoint(
        [
          { nums: [5, 3], target: 8 },
          { nums: [1, 9], target: 9 },
        ],
        training,
      ),
    ).toThrow(OverlapError);
    expect(() => assertDisjoint([{ nums: [5, 3], target: 8 }], training)).toThrow(
      /1 evaluation problem\(s\).*3,5->8/,
    );
  });

  it('generated traces never hold an excluded problem, and the same inputs give the same traces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 40 }), (seed, excluded) => {
        // Exclude problems the stream itself draws, so the exclusion really bites.
        const exclude = generateCountdownTraces(excluded, seed + 1, shape).map((t) => ({
          nums: t.nums,
          target: t.target,
        }));
        const traces = generateCountdownTracesExcluding(60, seed, shape, undefined, exclude);
        expect(traces).toHaveLength(60);
        const banned = new Set(exclude.map(countdownKey));
        expect(traces.filter((t) => banned.has(countdownKey(t)))).toEqual([]);
        expect(generateCountdownTracesExcluding(60, seed, shape, undefined, exclude)).toEqual(traces);
        expect(new Set(traces.map((t) => t.id)).size).toBe(60);
      }),
      { numRuns: 25 },
    );
  });

  it('without exclusions it draws exactly what generateCountdownTraces draws', () => {
    expect(generateCountdownTracesExcluding(30, 5, shape, countdownQuestion, [])).toEqual(
      generateCountdownTraces(30, 5, shape, countdownQuestion),
    );
  });

  it('distinct Countdown problems: no problem twice, and the same draws as far as they go', () => {
    const cd = {
      ...defaultCountdown,
      minNumbers: 2,
      maxNumbers: 2,
      numberMax: 9,
      targetMin: 1,
      targetMax: 100,
    };
    const plain = generateCountdown(60, 1, cd).map((p) => p.target);
    const distinct = generateCountdown(60, 1, { ...cd, distinct: true }).map((p) => p.target);
    const keys = (ps: typeof plain) => ps.map((t) => (t.kind === 'countdown' ? countdownKey(t) : ''));
    expect(new Set(keys(plain)).size).toBeLessThan(60);
    expect(new Set(keys(distinct)).size).toBe(60);
    // Up to the first repeat, both streams draw the same problems.
    const firstRepeat = keys(plain).findIndex((k, i) => keys(plain).indexOf(k) < i);
    expect(keys(distinct).slice(0, firstRepeat)).toEqual(keys(plain).slice(0, firstRepeat));
  });

  it("the demo's split: 48 evaluation problems, none among its training traces, printed", () => {
    const config = loadConfig({ file: path.resolve(__dirname, '..', '..', 'config', 'demo.yaml'), env: {} });
    const { evaluation, lines } = heldOutSplit(config, 400, 48);
    expect(evaluation).toEqual(evaluationProblems(config, 48));
    expect(evaluation).toHaveLength(48);
    // evaluation.countdown.distinct: every evaluated problem counts once.
    expect(new Set(evaluation.map(countdownKey)).size).toBe(48);
    const { generateSeed, traceShape } = demoTraceSource(config);
    // The unfiltered stream does hold evaluation problems: the exclusion is what makes them held out.
    const unfiltered = generateCountdownTraces(400, generateSeed, traceShape, countdownQuestion);
    expect(() => assertDisjoint(evaluation, unfiltered)).toThrow(OverlapError);
    expect(lines[0]).toMatch(
      /^held out: 48 evaluation problems .* none of them among the 400 training traces/,
    );
    expect(lines.slice(1).join(' ')).toContain(countdownKey(evaluation[47]!));
  });
});
