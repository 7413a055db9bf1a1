import fc from 'fast-check';
import { countdownQuestion } from '../../core/benchmarks';
import { verifyCountdown } from '../../core/grading/countdown';
import {
  evaluateExpression,
  generateCountdownTraces,
  type CountdownTraceShape,
} from '../../core/traces/countdown';
import { checklistCandidates } from '../../core/traces/countdown-checklist';

/*
 * The demo's tiny Countdown traces (two numbers up to 9), in each style: every problem has the asked size, its
 * boxed answer passes the project's grader, no sentence claims a wrong equation, and the question
 * is the benchmark's own when asked for.
 */
const tiny: CountdownTraceShape = {
  minNumbers: 2,
  maxNumbers: 2,
  numberMax: 9,
  targetMin: 1,
  targetMax: 100,
};

describe('Countdown traces of a given shape', () => {
  it('have the asked size, and the grader accepts every boxed answer (property over seeds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (seed) => {
        for (const t of generateCountdownTraces(5, seed, tiny)) {
          expect(t.nums).toHaveLength(2);
          for (const n of t.nums) expect(n >= 1 && n <= 9).toBe(true);
          expect(t.target >= tiny.targetMin && t.target <= tiny.targetMax).toBe(true);
          expect(verifyCountdown(t.answer, t.nums, t.target)).toMatchObject({ ok: true });
          expect(t.solution).toContain(`\\boxed{${t.answer}}`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never writes a false equation or a false "is not the target" claim', () => {
    for (const t of generateCountdownTraces(300, 4, tiny)) {
      for (const m of t.trace.matchAll(/(\d+) (\+|-|\\times|\/) (\d+) = (-?\d+)/g)) {
        const [a, op, b, c] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
        const value = op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a * b;
        expect({ eq: m[0], value }).toEqual({ eq: m[0], value: c });
      }
      for (const m of t.trace.matchAll(/= (-?\d+), which is not (\d+)/g)) expect(m[1]).not.toBe(m[2]);
      expect(t.trace).not.toMatch(/bring in \./);
    }
  });

  it('asks the benchmark question when given, and keeps the classic traces by default', () => {
    const [t] = generateCountdownTraces(1, 3, tiny, countdownQuestion);
    expect(t!.question).toBe(countdownQuestion(t!.nums, t!.target));
    expect(generateCountdownTraces(3, 11)).toEqual(
      generateCountdownTraces(3, 11, {
        minNumbers: 3,
        maxNumbers: 4,
        numberMax: 99,
        targetMin: 10,
        targetMax: 100,
      }),
    );
    for (const t3 of generateCountdownTraces(20, 11))
      expect(t3.nums.length === 3 || t3.nums.length === 4).toBe(true);
  });

  it('terse style: numbers restated first, every equation and verdict true, the answer verified', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 3 }), (seed, failed) => {
        const shape: CountdownTraceShape = { ...tiny, style: 'terse', maxFailedAttempts: failed };
        for (const t of generateCountdownTraces(5, seed, shape, countdownQuestion)) {
          const paragraphs = t.trace.split('\n\n');
          expect(paragraphs[0]).toBe(`Use ${t.nums.join(', ')} to make ${t.target}.`);
          expect(t.structure.map((s) => s.role)).toEqual([
            'setup',
            ...paragraphs.slice(1, -1).map(() => 'attempt'),
            'verify',
          ]);
          expect(paragraphs.length - 3).toBeGreaterThanOrEqual(1);
          expect(paragraphs.length - 3).toBeLessThanOrEqual(failed);
          for (const m of t.trace.matchAll(/(\d+) ([-+*/]) (\d+) = (-?\d+)\./g)) {
            const [a, op, b, c] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
            const value = op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a * b;
            expect({ eq: m[0], value }).toEqual({ eq: m[0], value: c });
          }
          // A verdict names the attempt's own value, and only the working attempt claims the target.
          const verdicts = [...t.trace.matchAll(/= (\d+)\. (\d+) is (not (\d+)|the target)\./g)];
          expect(verdicts).toHaveLength(paragraphs.length - 2);
          for (const v of verdicts) {
            expect(v[2]).toBe(v[1]);
            if (v[4] === undefined) expect(Number(v[1])).toBe(t.target);
            else expect([Number(v[1]), Number(v[4])]).toEqual([Number(v[1]), t.target]);
            if (v[4] !== undefined) expect(Number(v[1])).not.toBe(t.target);
          }
          expect(paragraphs.at(-1)).toMatch(
            new RegExp(`^Let me verify .*So the answer is ${t.answer.replace(/[*+()/]/g, '\\$&')}\\.$`),
          );
          expect(verifyCountdown(t.answer, t.nums, t.target)).toMatchObject({ ok: true });
          expect(t.solution).toBe(`\\boxed{${t.answer}}`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('terse style without verification: the same problems and attempts, ending with the working one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (seed) => {
        const shape: CountdownTraceShape = { ...tiny, style: 'terse', maxFailedAttempts: 2 };
        const full = generateCountdownTraces(5, seed, shape, countdownQuestion);
        const short = generateCountdownTraces(5, seed, { ...shape, verify: false }, countdownQuestion);
        short.forEach((t, i) => {
          const f = full[i]!;
          expect([t.nums, t.target, t.answer, t.solution]).toEqual([f.nums, f.target, f.answer, f.solution]);
          const paragraphs = t.trace.split('\n\n');
          // Everything before the verification paragraph, nothing after the working attempt.
          expect(paragraphs).toEqual(f.trace.split('\n\n').slice(0, -1));
          expect(t.trace).not.toMatch(/verify|answer is/);
          expect(t.structure.map((s) => s.role)).toEqual([
            'setup',
            ...paragraphs.slice(1).map(() => 'attempt'),
          ]);
          expect(paragraphs.at(-1)).toMatch(new RegExp(`${t.target} is the target\\.$`));
          expect(paragraphs.at(-1)).toContain(`try ${t.answer}.`);
          expect(verifyCountdown(t.answer, t.nums, t.target)).toMatchObject({ ok: true });
        });
      }),
      { numRuns: 30 },
    );
  });

  it('checklist style: every operation on the two numbers checked in full, the first hit answered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (seed) => {
        const shape: CountdownTraceShape = { ...tiny, style: 'checklist' };
        for (const t of generateCountdownTraces(5, seed, shape, countdownQuestion)) {
          const [setup, ...checks] = t.trace.split('\n\n');
          expect(setup).toBe(`Use ${t.nums.join(', ')} to make ${t.target}.`);
          expect(t.structure.map((s) => s.role)).toEqual(['setup', ...checks.map(() => 'attempt')]);
          // The checks are the operations on the two numbers, each once, in the fixed order.
          const named = checks.map((c) => /^(Let me|Maybe) try (\d+ [-+*/] \d+)\./.exec(c)?.[2]);
          expect(named).toEqual(checklistCandidates(t.nums).map((c) => c.expression));
          expect(named[0]).toBe(`${t.nums[0]} + ${t.nums[1]}`);
          // Every value two numbers make as a positive integer is among them.
          const [x, y] = t.nums as [number, number];
          const made = [x + y, x * y, x - y, y - x, x / y, y / x].filter((v) => Number.isInteger(v) && v > 0);
          const values = named.map((e) => evaluateExpression(e!));
          for (const v of made) expect(values).toContain(v);
          checks.forEach((c, i) => {
            // Every equation true, the verdict right, and the work several lines against its cue line.
            for (const m of c.matchAll(/(\d+) ([-+*/]) (\d+) = (-?\d+)\./g)) {
              const [a, op, b, r] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
              const value = op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a * b;
              expect({ eq: m[0], value }).toEqual({ eq: m[0], value: r });
            }
            const hits = values[i] === t.target;
            expect(c.endsWith(hits ? `makes ${t.target}.` : `does not make ${t.target}.`)).toBe(true);
            expect(c.split('. ').length).toBeGreaterThanOrEqual(6);
          });
          expect(t.answer).toBe(named[values.indexOf(t.target)]);
          expect(verifyCountdown(t.answer, t.nums, t.target)).toMatchObject({ ok: true });
          expect(t.solution).toBe(`\\boxed{${t.answer}}`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a shape that cannot make problems, naming the field', () => {
    expect(() => generateCountdownTraces(1, 1, { ...tiny, verify: false })).toThrow(
      /verify: false needs style "terse"/,
    );
    expect(() => generateCountdownTraces(1, 1, { ...tiny, minNumbers: 1 })).toThrow(/minNumbers/);
    expect(() => generateCountdownTraces(1, 1, { ...tiny, maxNumbers: 3, style: 'checklist' })).toThrow(
      /"checklist" needs two numbers/,
    );
    expect(() => generateCountdownTraces(1, 1, { ...tiny, maxNumbers: 1 })).toThrow(/maxNumbers/);
    expect(() => generateCountdownTraces(1, 1, { ...tiny, targetMin: 5, targetMax: 4 })).toThrow(/targetMax/);
    expect(() =>
      generateCountdownTraces(1, 1, { ...tiny, style: 'short' as unknown as CountdownTraceShape['style'] }),
    ).toThrow(/style/);
  });
});
