/*
 * The checklist style of the generated Countdown traces (core/traces/countdown.ts), for problems
 * of two numbers: the set-up restates the numbers and the target, then every operation on the two
 * numbers is checked in a fixed order, one paragraph each (a short cue sentence naming it, then
 * the worked check: the step, the numbers used, the target, the comparison, the verdict), and the
 * answer is the first check that reaches the target. Pure.
 *
 * Why a checklist: which checks a trace makes must not depend on their results, or a plan could
 * not name them before they run. A trace that stops at the first hit makes its attempts depend on
 * the earlier verdicts; one that checks every candidate does not, so curation turns its checks into
 * the executors of one round. And each check's work is several lines against its one-line cue, so
 * the plan that names the checks costs much less than the work it lets run side by side: the
 * shape in which SPRINT saves sequential tokens (docs/demo.md#the-trace-style).
 */
import type { CountdownTrace } from './countdown';

type Op = '+' | '-' | '*' | '/';

interface Check {
  expression: string;
  a: number;
  op: Op;
  b: number;
  value: number;
}

/**
 * The operations worth checking on two numbers, in a fixed order: the sum, the product, the larger
 * minus the smaller (when positive), the larger divided by the smaller (when exact and the divisor
 * is not 1). Every positive integer that the two numbers make is one of them.
 */
export function checklistCandidates(nums: readonly number[]): Check[] {
  if (nums.length !== 2) throw new Error(`checklist traces need two numbers, got ${nums.length}`);
  const [x, y] = nums as [number, number];
  const [big, small] = x >= y ? [x, y] : [y, x];
  const out: Check[] = [
    { expression: `${x} + ${y}`, a: x, op: '+', b: y, value: x + y },
    { expression: `${x} * ${y}`, a: x, op: '*', b: y, value: x * y },
  ];
  if (big > small)
    out.push({ expression: `${big} - ${small}`, a: big, op: '-', b: small, value: big - small });
  if (small > 1 && big % small === 0)
    out.push({ expression: `${big} / ${small}`, a: big, op: '/', b: small, value: big / small });
  return out;
}

/** The inverse step that recovers the first number from the result (a check of the arithmetic). */
function inverseCheck(c: Check): string {
  const inverse: Record<Op, Op> = { '+': '-', '-': '+', '*': '/', '/': '*' };
  return `As a check, ${c.value} ${inverse[c.op]} ${c.b} = ${c.a}.`;
}

/** One check: its cue sentence (the plan), then its worked lines (the execution). */
function checkParagraph(c: Check, target: number, first: boolean): string {
  const comparison =
    c.value === target
      ? `${c.value} is equal to ${target}.`
      : `${c.value} is ${c.value > target ? 'more' : 'less'} than ${target}.`;
  const verdict =
    c.value === target
      ? `So ${c.expression} makes ${target}.`
      : `So ${c.expression} does not make ${target}.`;
  return [
    `${first ? 'Let me try' : 'Maybe try'} ${c.expression}.`,
    `${c.a} ${c.op} ${c.b} = ${c.value}.`,
    inverseCheck(c),
    `Once more, ${c.a} ${c.op} ${c.b} = ${c.value}.`,
    `The numbers used are ${c.a} and ${c.b}, each once.`,
    `The target is ${target}.`,
    comparison,
    verdict,
  ].join(' ');
}

/** A checklist trace of a two-number problem; `target` must be one of its candidates' values. */
export function checklistTrace(id: string, question: string, nums: number[], target: number): CountdownTrace {
  const checks = checklistCandidates(nums);
  const hit = checks.find((c) => c.value === target);
  if (!hit) throw new Error(`checklist trace ${id}: no operation on ${nums.join(', ')} makes ${target}`);
  const paragraphs = [
    `Use ${nums.join(', ')} to make ${target}.`,
    ...checks.map((c, i) => checkParagraph(c, target, i === 0)),
  ];
  return {
    id,
    question,
    trace: paragraphs.join('\n\n'),
    solution: `\\boxed{${hit.expression}}`,
    answer: hit.expression,
    nums,
    target,
    structure: [
      { role: 'setup', dependsOn: [] },
      ...checks.map(() => ({ role: 'attempt' as const, dependsOn: [0] })),
    ],
  };
}
