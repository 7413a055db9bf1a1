import fc from 'fast-check';
import {
  extractChoice,
  extractCountdownEquation,
  extractMathAnswer,
  finalAnswerBlock,
  lastBoxed,
} from '../../core/grading/extract';
import { gradeReply } from '../../core/grading/grade';
import { parseCountdown, reachable, solveCountdown, verifyCountdown } from '../../core/grading/countdown';

describe('answer extraction', () => {
  it('takes the last \\boxed{} with nested braces', () => {
    expect(lastBoxed('first \\boxed{1} then \\boxed{\\frac{\\sqrt{3}}{2}} done')).toBe(
      '\\frac{\\sqrt{3}}{2}',
    );
    expect(lastBoxed('\\boxed{\\{1,2\\}}')).toBe('\\{1,2\\}');
    expect(lastBoxed('\\boxed 5$')).toBe('5');
    expect(lastBoxed('no box here')).toBeNull();
    expect(lastBoxed('\\boxed{unclosed')).toBeNull();
  });

  it('reads the <Final_answer> block, closed or cut', () => {
    expect(
      finalAnswerBlock('<Plan_1>x</Plan_1>\n<Final_answer>\nThe answer is \\boxed{4}.\n</Final_answer>'),
    ).toBe('The answer is \\boxed{4}.');
    expect(finalAnswerBlock('<Final_answer>\n\\boxed{7')).toBe('\\boxed{7');
    expect(finalAnswerBlock('nothing')).toBeNull();
  });

  it('prefers the final block over boxes in the reasoning', () => {
    const text = '<Plan_1>try \\boxed{3}</Plan_1>\n<Final_answer>\nso \\boxed{5}\n</Final_answer>';
    expect(extractMathAnswer(text)).toBe('5');
    expect(extractMathAnswer('<think>maybe \\boxed{2}</think>\nFinal: \\boxed{9}')).toBe('9');
    expect(extractMathAnswer('... so the final answer is 42.')).toBe('42');
    expect(extractMathAnswer('<Final_answer>\n12\n</Final_answer>')).toBe('12');
    expect(extractMathAnswer('I give up')).toBeNull();
  });

  it('finds multiple-choice letters', () => {
    expect(extractChoice('reasoning...\nAnswer: C')).toBe('C');
    expect(extractChoice('Answer: A ... on reflection\nAnswer: (B)')).toBe('B');
    expect(extractChoice('so \\boxed{D}')).toBe('D');
    expect(extractChoice('<Final_answer>\n\\boxed{\\text{(A)}}\n</Final_answer>')).toBe('A');
    expect(extractChoice('The answer is **b**')).toBe('B');
    expect(extractChoice('Answer: E')).toBeNull();
    expect(extractChoice('no letter')).toBeNull();
  });

  it('finds a Countdown equation and drops "= target"', () => {
    expect(extractCountdownEquation('so <answer>(25 - 5) * 4 = 80</answer>')).toBe('(25 - 5) * 4');
    expect(extractCountdownEquation('<Final_answer>\n\\boxed{(25-5) \\times 4}\n</Final_answer>')).toBe(
      '(25-5) * 4',
    );
    expect(extractCountdownEquation('work...\n3 + 4 * 5 = 23\n')).toBe('3 + 4 * 5');
    expect(extractCountdownEquation('no equation')).toBeNull();
  });
});

describe('Countdown verifier', () => {
  it('accepts a correct equation with exact arithmetic', () => {
    expect(verifyCountdown('(25 - 5) * 4', [4, 5, 25], 80)).toMatchObject({ ok: true, value: '80' });
    expect(verifyCountdown('6 / (1 - 3 / 4)', [6, 1, 3, 4], 24)).toMatchObject({ ok: true });
  });

  it('rejects reused numbers', () => {
    const v = verifyCountdown('5 * 5 + 4', [4, 5, 25], 29);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/exactly once/);
  });

  it('rejects extra numbers and missing numbers', () => {
    expect(verifyCountdown('(25 - 5) * 4 + 1', [4, 5, 25], 81).reason).toMatch(/exactly once/);
    expect(verifyCountdown('25 * 4', [4, 5, 25], 100).reason).toMatch(/exactly once/);
  });

  it('rejects a wrong target', () => {
    expect(verifyCountdown('25 + 5 + 4', [4, 5, 25], 35)).toMatchObject({
      ok: false,
      reason: 'equals 34, not 35',
    });
  });

  it('rejects a non-integer result and, when configured, a non-exact division step', () => {
    expect(verifyCountdown('25 / 4 + 5', [4, 5, 25], 11).ok).toBe(false);
    // 6 / (1 - 3/4) = 24 needs the fraction 3/4 on the way
    expect(
      verifyCountdown('6 / (1 - 3 / 4)', [6, 1, 3, 4], 24, { requireIntegerDivision: true }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an exact integer division/) as unknown,
    });
    expect(verifyCountdown('(25 - 5) / 4 * 2', [2, 4, 5, 25], 10, { requireIntegerDivision: true }).ok).toBe(
      true,
    );
  });

  it('rejects other operators, unary minus, decimals and junk without evaluating code', () => {
    expect(verifyCountdown('2 ** 3', [2, 3], 8).ok).toBe(false);
    expect(verifyCountdown('-4 + 25 - 5', [4, 5, 25], 16).ok).toBe(false);
    expect(verifyCountdown('2.5 * 4', [4, 2], 10).ok).toBe(false);
    expect(verifyCountdown('process.exit(1)', [1], 1).ok).toBe(false);
    expect(verifyCountdown('(1 + 2', [1, 2], 3).reason).toMatch(/missing "\)"/);
    expect(verifyCountdown('4 / (5 - 5)', [4, 5, 5], 0).reason).toMatch(/division by zero/);
    expect(verifyCountdown(null, [1], 1).reason).toBe('no equation found');
  });

  it('parses precedence and × ÷', () => {
    expect(verifyCountdown('2 + 3 × 4', [2, 3, 4], 14).ok).toBe(true);
    expect(verifyCountdown('20 ÷ 4 - 1', [20, 4, 1], 4).ok).toBe(true);
    expect(parseCountdown('1 - 2 - 3')).toMatchObject({ op: '-', left: { op: '-' } });
  });

  it('solver: every solution it finds verifies, and it finds a known one', () => {
    expect(solveCountdown([4, 5, 25], 80)).not.toBeNull();
    expect(solveCountdown([1, 1, 1], 50)).toBeNull();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 3, maxLength: 4 }),
        fc.integer({ min: 10, max: 100 }),
        (nums, target) => {
          const expr = solveCountdown(nums, target);
          if (expr !== null) expect(verifyCountdown(expr, nums, target).ok).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    for (const [key, expr] of reachable([3, 7, 8], { requireIntegerDivision: true })) {
      const [n, d] = key.split('/');
      if (d === '1')
        expect(verifyCountdown(expr, [3, 7, 8], Number(n), { requireIntegerDivision: true }).ok).toBe(true);
    }
  });

  it('gradeReply covers the three benchmark kinds', () => {
    expect(
      gradeReply('<Final_answer>\n\\boxed{\\dfrac{1}{2}}\n</Final_answer>', { kind: 'math', answer: '0.5' })
        .correct,
    ).toBe(true);
    expect(gradeReply('\\boxed{3}', { kind: 'math', answer: '4' })).toMatchObject({
      correct: false,
      extracted: '3',
    });
    expect(gradeReply('Answer: B', { kind: 'choice', letter: 'B' }).correct).toBe(true);
    expect(
      gradeReply('<answer>25 + 5 + 4</answer>', { kind: 'countdown', nums: [4, 5, 25], target: 34 }).correct,
    ).toBe(true);
    expect(
      gradeReply('<answer>25 + 5</answer>', { kind: 'countdown', nums: [4, 5, 25], target: 30 }),
    ).toMatchObject({
      correct: false,
      reason: expect.stringMatching(/exactly once/) as unknown,
    });
  });
});
