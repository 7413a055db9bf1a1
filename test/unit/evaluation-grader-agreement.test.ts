import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { graderAgreement } from '../../core/evaluation/agreement';
import { gradeWithMathVerify } from '../../io/evaluation/math-verify';

describe('agreement between the built-in grader and a cross-check', () => {
  it('counts agreements and lists each disagreement with the other grader’s error', () => {
    const a = graderAgreement(
      'math-verify',
      [
        { id: 'a', correct: true },
        { id: 'b', correct: true },
        { id: 'c', correct: false },
        { id: 'd', correct: false },
      ],
      [
        { id: 'd', correct: false, error: 'no prediction' },
        { id: 'c', correct: false },
        { id: 'b', correct: false, error: 'TimeoutError: parse' },
        { id: 'a', correct: true },
      ],
    );
    expect(a).toEqual({
      grader: 'math-verify',
      compared: 4,
      agreed: 3,
      rate: 0.75,
      builtinCorrect: 2,
      otherCorrect: 1,
      disagreements: [{ id: 'b', builtin: true, other: false, error: 'TimeoutError: parse' }],
      errors: 2,
    });
  });

  it('refuses verdicts that miss an output', () => {
    expect(() => graderAgreement('x', [{ id: 'a', correct: true }], [])).toThrow(
      /x returned no verdict for a/,
    );
  });

  it('property: agreed + disagreements = compared, rate in [0, 1], a grader agrees with itself', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 50 }), (pairs) => {
        const mine = pairs.map(([m], i) => ({ id: `p${i}`, correct: m }));
        const theirs = pairs.map(([, t], i) => ({ id: `p${i}`, correct: t }));
        const a = graderAgreement('x', mine, theirs);
        expect(a.agreed + a.disagreements.length).toBe(a.compared);
        expect(a.rate).toBeGreaterThanOrEqual(0);
        expect(a.rate).toBeLessThanOrEqual(1);
        expect(graderAgreement('x', mine, mine).rate).toBe(pairs.length ? 1 : 0);
      }),
    );
  });
});

describe('math-verify in the project Python environment (infra/eval/math_verify_grade.py)', () => {
  it('grades outputs against references with its own extraction, in input order', async () => {
    const verdicts = await gradeWithMathVerify([
      { id: 'frac', prediction: 'so the sum is \\boxed{\\frac{7}{8}}', reference: '\\frac{7}{8}' },
      { id: 'decimal', prediction: 'The answer is \\boxed{0.875}.', reference: '\\frac{7}{8}' },
      { id: 'wrong', prediction: '\\boxed{3}', reference: '4' },
      { id: 'thin-space', prediction: '\\boxed{10,\\!080}', reference: '10080' },
      { id: 'membership', prediction: '\\boxed{x \\in [-2,7]}', reference: '[-2,7]' },
      { id: 'none', prediction: null, reference: '4' },
    ]);
    expect(verdicts).toEqual([
      { id: 'frac', correct: true },
      { id: 'decimal', correct: true },
      { id: 'wrong', correct: false },
      { id: 'thin-space', correct: true },
      { id: 'membership', correct: true },
      { id: 'none', correct: false, error: 'no prediction' },
    ]);
  }, 60_000);

  it('says so when the Python it runs has no math-verify', async () => {
    // the project's Python without site-packages (-S): the standard library only, no math-verify
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-no-site-'));
    const python = path.join(dir, 'python');
    const venvPython = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
    fs.writeFileSync(python, `#!/bin/sh\nexec "${venvPython}" -S "$@"\n`, { mode: 0o755 });
    await expect(
      gradeWithMathVerify([{ id: 'a', prediction: '1', reference: '1' }], { python }),
    ).rejects.toThrow(/exited with 3\): math-verify is not installed .* run scripts\/setup-python\.sh/);
  }, 30_000);

  it('names an interpreter that does not exist', async () => {
    await expect(
      gradeWithMathVerify([{ id: 'a', prediction: '1', reference: '1' }], { python: '/nonexistent/python' }),
    ).rejects.toThrow(/cannot run \/nonexistent\/python for the math-verify cross-check/);
  });
});
