/*
 * The math-verify cross-check: Hugging Face's `math-verify` Python package grades the same outputs
 * as the built-in grader, in the project's Python environment (scripts/setup-python.sh installs
 * infra/eval/requirements.txt), through infra/eval/math_verify_grade.py (JSONL on stdin and stdout).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Verdict } from '../../core/evaluation/agreement';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface MathVerifyItem {
  id: string;
  /** The output text the built-in grader saw; math-verify extracts the answer itself. */
  prediction: string | null;
  /** The benchmark's answer (LaTeX, no delimiters). */
  reference: string;
}

export interface MathVerifyOptions {
  /** Python interpreter (default: the project's .venv). */
  python?: string;
  /** The grading script (default: infra/eval/math_verify_grade.py). */
  script?: string;
}

/** Verdicts of math-verify, in input order. Throws with the reason when it cannot run at all. */
export async function gradeWithMathVerify(
  items: MathVerifyItem[],
  opts: MathVerifyOptions = {},
): Promise<Verdict[]> {
  const python = opts.python ?? path.join(repoRoot, '.venv', 'bin', 'python');
  const script = opts.script ?? path.join(repoRoot, 'infra', 'eval', 'math_verify_grade.py');
  const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`cannot run ${python} for the math-verify cross-check: ${err.message}`)),
    );
    child.on('close', (code) => resolve(code));
  });
  // a script that exits early (math-verify missing) closes stdin: its exit status says why, not EPIPE
  child.stdin.on('error', () => undefined);
  child.stdin.end(items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  const code = await exited;
  if (code !== 0) {
    throw new Error(
      `math-verify cross-check failed (${path.basename(script)} exited with ${code}): ${stderr.trim() || 'no message'}`,
    );
  }
  const lines = stdout.split('\n').filter((l) => l.trim());
  if (lines.length !== items.length) {
    throw new Error(`math-verify returned ${lines.length} verdicts for ${items.length} outputs`);
  }
  return lines.map((line, i) => {
    const v = JSON.parse(line) as { correct?: unknown; error?: unknown };
    return {
      id: items[i]!.id,
      correct: v.correct === true,
      ...(typeof v.error === 'string' ? { error: v.error } : {}),
    };
  });
}
