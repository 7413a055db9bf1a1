/**
 * Scripted replies of the loopback engine double for evaluation tests: a family of small arithmetic
 * problems whose correct and incorrect replies (and their token counts) are known in advance.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countTokens, type ModelRequestRecord, type ScriptedReply } from './loopback-model-server';
import { scenarioPlanBody, sprintScript, type Scenario } from './sprint-script';

export const PROBLEMS = 20;

/** Writes problems "Compute the sum of i and 7." (answer i + 7) as MATH500-shaped JSONL. */
export function writeSumProblems(n = PROBLEMS): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-eval-data-')), 'sums.jsonl');
  const lines = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return JSON.stringify({
      problem: `Compute the sum of ${i} and 7.`,
      answer: String(i + 7),
      subject: 'Arithmetic',
      level: 1,
      unique_id: `p${i}`,
    });
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export function problemIndex(prompt: string): number {
  const m = /sum of (\d+) and 7/.exec(prompt);
  if (!m) throw new Error(`not a scripted problem: ${prompt.slice(0, 80)}`);
  return Number(m[1]);
}

// ---- Skeleton-of-Thought: 2 points; point k of problem i has i + 3k tokens; even i answered right.
export const SKELETON = '1. read the numbers\n2. add them';
export const sotPoint = (i: number, k: number) => 'work '.repeat(i + 3 * k).trim();
export const sotJoin = (i: number) => `so \\boxed{${i % 2 === 0 ? i + 7 : i + 8}}`;
export const sotCorrect = (i: number) => i % 2 === 0;
export const sotSequential = (i: number) =>
  countTokens(SKELETON) +
  Math.max(countTokens(sotPoint(i, 0)), countTokens(sotPoint(i, 1))) +
  countTokens(sotJoin(i));
export const sotTotal = (i: number) =>
  countTokens(SKELETON) + countTokens(sotPoint(i, 0)) + countTokens(sotPoint(i, 1)) + countTokens(sotJoin(i));

export function sotReply(req: ModelRequestRecord): ScriptedReply {
  const i = problemIndex(req.prompt);
  if (req.prompt.includes('Write only a skeleton')) return { text: SKELETON, cachedPromptTokens: 2 };
  const step = /Carry out step (\d+)/.exec(req.prompt);
  if (step) return { text: sotPoint(i, Number(step[1]) - 1), cachedPromptTokens: 2 };
  if (req.prompt.includes('Worked steps')) return { text: sotJoin(i), cachedPromptTokens: 2 };
  throw new Error('unexpected SoT prompt');
}

// ---- self-consistency, 3 samples (seed 0..2): sample s of problem i has i + s + 1 tokens.
export function scSample(i: number, seed: number): string {
  const right = `\\boxed{${i + 7}}`;
  const wrong = `\\boxed{${i + 9}}`;
  const tail = [
    [right, right, right], // i % 4 == 0: unanimous
    [right, right, wrong], // 1: majority right
    [right, wrong, wrong], // 2: majority wrong
    ['hmm', 'hmm', wrong], // 3: two abstain, one wrong
  ][i % 4]![seed]!;
  return `${'x '.repeat(i + seed)}${tail}`;
}
export const scCorrect = (i: number) => i % 4 <= 1;

export function scReply(req: ModelRequestRecord): ScriptedReply {
  const i = problemIndex(req.prompt);
  return { text: scSample(i, Number(req.body.seed ?? 0)), cachedPromptTokens: 2 };
}

// ---- SPRINT: one round of 2 prompts (executions of i and 2 tokens), then the final answer; i % 5 == 0 wrong.
export function sprintScenarioFor(i: number): Scenario {
  return {
    rounds: [
      {
        parts: ['Split the sum.', { prompt: `Add the units of ${i} and 7.` }, { prompt: 'Check the carry.' }],
        executions: ['u '.repeat(i).trim(), 'no carry'],
      },
    ],
    final: `The sum is \\boxed{${i % 5 === 0 ? i + 6 : i + 7}}.`,
  };
}
export const sprintCorrect = (i: number) => i % 5 !== 0;
/** Tokens as the double counts them after the stop strings cut the replies (see session tests). */
export function sprintTokens(i: number): { sequential: number; total: number } {
  const s = sprintScenarioFor(i);
  const r = s.rounds[0]!;
  const plan = countTokens(`<Plan_1>\n${scenarioPlanBody(1, r)}\n`);
  const execs = r.executions.map((e) => countTokens(`${e}\n`));
  const final = countTokens(`<Final_answer>\n${s.final}\n`);
  return {
    sequential: plan + Math.max(...execs) + final,
    total: plan + execs.reduce((a, b) => a + b, 0) + final,
  };
}
export function sprintReply(req: ModelRequestRecord): ScriptedReply | Promise<ScriptedReply> {
  return sprintScript(sprintScenarioFor(problemIndex(req.prompt)))(req);
}

// ---- sequential: 3i + 10 thinking tokens, then the answer; i % 4 == 0 wrong.
export const sequentialText = (i: number) =>
  `${'t '.repeat(3 * i + 10)}\n</think>\n\nThe answer is \\boxed{${i % 4 === 0 ? i + 9 : i + 7}}.`;
export const sequentialCorrect = (i: number) => i % 4 !== 0;
export function sequentialReply(req: ModelRequestRecord): ScriptedReply {
  return { text: sequentialText(problemIndex(req.prompt)) };
}
