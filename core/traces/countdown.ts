/*
 * Generated reasoning traces for Countdown problems, in the narrated sequential style of
 * DeepSeek-R1: restate the task, try several independent combinations (most fail), sometimes
 * revisit one ("Wait, ..."), find one that works, verify it, and box the equation. The independent
 * attempts are real parallelism for the curation pipeline. Pure and seeded: the same (count, seed)
 * always gives the same traces.
 */

import { checklistTrace } from './countdown-checklist';

/** A small, fast, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Op = '+' | '-' | '*' | '/';

interface Step {
  a: number;
  op: Op;
  b: number;
  result: number;
}

interface Attempt {
  /** Numbers in the order they are combined (left fold). */
  order: number[];
  steps: Step[];
  expression: string;
  value: number;
}

export interface CountdownTrace {
  id: string;
  question: string;
  trace: string;
  solution: string;
  answer: string;
  nums: number[];
  target: number;
  /**
   * The generator's own account of the trace, paragraph by paragraph: what each paragraph does and
   * which earlier paragraphs (0-based) it builds on. A reference for comparing extractors.
   */
  structure: { role: 'setup' | 'attempt' | 'revise' | 'step' | 'verify'; dependsOn: number[] }[];
}

const OPS: Op[] = ['+', '-', '*', '/'];

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function shuffle<T>(rng: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function apply(a: number, op: Op, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b > 0 ? a - b : undefined;
    case '*':
      return a * b <= 10_000 ? a * b : undefined;
    case '/':
      return b > 1 && a % b === 0 ? a / b : undefined;
  }
}

const precedence: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** Left fold of the numbers with random operators; undefined when a step is not a positive integer. */
function randomAttempt(rng: () => number, nums: number[]): Attempt | undefined {
  const order = shuffle(rng, nums);
  let value = order[0]!;
  let expression = String(value);
  let lastOp: Op | undefined;
  const steps: Step[] = [];
  for (const b of order.slice(1)) {
    const op = pick(rng, OPS);
    const result = apply(value, op, b);
    if (result === undefined) return undefined;
    const wrap = lastOp !== undefined && precedence[lastOp] < precedence[op];
    expression = `${wrap ? `(${expression})` : expression} ${op === '*' ? '*' : op} ${b}`;
    steps.push({ a: value, op, b, result });
    value = result;
    lastOp = op;
  }
  return { order, steps, expression, value };
}

const opWord: Record<Op, string> = { '+': 'adding', '-': 'subtracting', '*': 'multiplying', '/': 'dividing' };
const opSymbol: Record<Op, string> = { '+': '+', '-': '-', '*': '\\times', '/': '/' };

function stepSentence(rng: () => number, s: Step, first: boolean): string {
  const eq = `${s.a} ${opSymbol[s.op]} ${s.b} = ${s.result}`;
  if (first) return pick(rng, [`First, ${eq}.`, `Start with ${eq}.`, `So ${eq}.`]);
  return pick(rng, [`Then ${eq}.`, `Next, ${eq}.`, `Now ${eq}.`, `After that, ${eq}.`]);
}

function attemptParagraph(rng: () => number, at: Attempt, target: number, opener: string): string {
  const firstOp = at.steps[0]!.op;
  const rest = at.order.slice(2);
  const plan = rest.length
    ? `${opener} ${opWord[firstOp]} ${at.order[0]} and ${at.order[1]} first, then bring in ${rest.join(' and ')}.`
    : `${opener} ${opWord[firstOp]} ${at.order[0]} and ${at.order[1]}.`;
  const body = at.steps.map((s, i) => stepSentence(rng, s, i === 0));
  const gap = at.value - target;
  const verdict =
    at.value === target
      ? `That gives exactly ${target}, which is the target.`
      : `That gives ${at.value}, which is ${Math.abs(gap)} ${gap > 0 ? 'more' : 'less'} than ${target}.`;
  const close =
    at.value === target ? `So ${at.expression} works.` : 'So this combination does not reach the target.';
  return [plan, ...body, verdict, close].join(' ');
}

/**
 * The size of the generated problems: how many numbers, their range, the target's range. The
 * default is the classic task (3-4 numbers up to 99); the offline demo uses a much smaller one so a
 * tiny model can learn it on a CPU in minutes.
 */
export interface CountdownTraceShape {
  minNumbers: number;
  maxNumbers: number;
  /** Numbers are drawn from 1..numberMax. */
  numberMax: number;
  targetMin: number;
  targetMax: number;
  /** Failed attempts narrated before the one that works: 1..this many (default 4). */
  maxFailedAttempts?: number;
  /**
   * How the trace is written: `narrated` (default) in R1's long style; `terse` in short sentences
   * (`Use 3, 5 to make 8.` / `Let me try 3 * 5.` `3 * 5 = 15.` `15 is not 8.`), the same structure
   * for the curation pipeline in about a third of the tokens, so a tiny model trained on a CPU
   * sees many more samples in the same minutes (the offline demo). `checklist` (two numbers only):
   * every operation on the two numbers checked in a fixed order, each check worked out over
   * several lines, then the first that reaches the target (core/traces/countdown-checklist.ts).
   */
  style?: 'narrated' | 'terse' | 'checklist';
  /**
   * Terse style only: end with a paragraph that verifies the working attempt (default true). Without
   * it a sample is one round (the attempts side by side, then the answer), about a third fewer
   * tokens: more samples per CPU minute, and the numbers the model must copy a larger share of them.
   */
  verify?: boolean;
}

export const defaultTraceShape: CountdownTraceShape = {
  minNumbers: 3,
  maxNumbers: 4,
  numberMax: 99,
  targetMin: 10,
  targetMax: 100,
};

/** The question of a problem; the default is the generator's own wording. */
export type QuestionText = (nums: number[], target: number) => string;

const traceQuestion: QuestionText = (nums, target) =>
  `Using the numbers [${nums.join(', ')}], create an equation that equals ${target}. ` +
  'You can use basic arithmetic operations (+, -, *, /) and each number can only be used once.';

/** Throws when a shape cannot produce problems (named field and value). */
export function checkTraceShape(shape: CountdownTraceShape): void {
  const bad = (what: string) => {
    throw new Error(`countdown trace shape: ${what} (got ${JSON.stringify(shape)})`);
  };
  if (!Number.isInteger(shape.minNumbers) || shape.minNumbers < 2) bad('minNumbers must be an integer >= 2');
  if (!Number.isInteger(shape.maxNumbers) || shape.maxNumbers < shape.minNumbers)
    bad('maxNumbers must be an integer >= minNumbers');
  if (!Number.isInteger(shape.numberMax) || shape.numberMax < 2) bad('numberMax must be an integer >= 2');
  if (shape.targetMax < shape.targetMin) bad('targetMax must be >= targetMin');
  if (shape.style !== undefined && !['narrated', 'terse', 'checklist'].includes(shape.style))
    bad('style must be "narrated", "terse" or "checklist"');
  if (shape.style === 'checklist' && (shape.minNumbers !== 2 || shape.maxNumbers !== 2))
    bad('style "checklist" needs two numbers (minNumbers and maxNumbers 2)');
  if (shape.verify !== undefined && typeof shape.verify !== 'boolean') bad('verify must be true or false');
  if (shape.verify === false && shape.style !== 'terse') bad('verify: false needs style "terse"');
  if (
    shape.maxFailedAttempts !== undefined &&
    !(Number.isInteger(shape.maxFailedAttempts) && shape.maxFailedAttempts >= 1)
  )
    bad('maxFailedAttempts must be an integer >= 1');
}

/**
 * "Wait, ..." after a failed attempt: other operations for its last step. Only the ones that miss
 * the target are named as misses (with two small numbers one of them often hits it, and the trace
 * must not claim otherwise).
 */
function reviseParagraph(last: Step, target: number): string {
  const { a, b } = last;
  const opener = `Wait, maybe the last step should be different. Instead of ${a} ${opSymbol[last.op]} ${b}, `;
  if (a + b !== target && a - b !== target && a * b !== target) {
    return (
      opener +
      `compare ${a} + ${b} = ${a + b} and ${a} - ${b} = ${a - b}. ` +
      `Neither ${a + b} nor ${a - b} equals ${target}. ` +
      `Multiplying instead, ${a} \\times ${b} = ${a * b}, which is not ${target} either. ` +
      'So changing only the last operation does not help.'
    );
  }
  const misses = (
    [
      ['+', a + b],
      ['-', a - b],
      ['\\times', a * b],
    ] as const
  ).filter(([sym, v]) => v !== target && sym !== opSymbol[last.op]);
  const listed = misses.map(([sym, v]) => `${a} ${sym} ${b} = ${v}`).join(' and ');
  return misses.length
    ? opener +
        `compare ${listed}. ${misses.length > 1 ? 'Neither equals' : 'That is not'} ${target} either. So this change does not help.`
    : opener + `no other simple operation on ${a} and ${b} is worth checking here.`;
}

function makeProblem(
  rng: () => number,
  shape: CountdownTraceShape,
): { nums: number[]; target: number; solution: Attempt } {
  const span = shape.maxNumbers - shape.minNumbers + 1;
  for (let draws = 0; draws < 100_000; draws++) {
    // The classic shape keeps its original draw (3 or 4 numbers on one coin), so its traces stay as they were.
    const n =
      span === 2
        ? rng() < 0.5
          ? shape.minNumbers
          : shape.maxNumbers
        : shape.minNumbers + Math.floor(rng() * span);
    const nums = Array.from({ length: n }, () => 1 + Math.floor(rng() * shape.numberMax));
    const at = randomAttempt(rng, nums);
    if (
      at &&
      at.value >= shape.targetMin &&
      at.value <= shape.targetMax &&
      at.steps.every((s) => s.result !== s.a)
    ) {
      return { nums, target: at.value, solution: at };
    }
  }
  throw new Error(`countdown trace shape: no problem found in 100000 draws (${JSON.stringify(shape)})`);
}

const OPENERS = [
  'Let me try',
  'Alternatively, let me try',
  'Another idea: try',
  'Alternatively, what about',
  'Let me consider',
  'Maybe try',
];

/** One trace for a seeded random problem. */
export function generateCountdownTrace(
  rng: () => number,
  id: string,
  shape: CountdownTraceShape = defaultTraceShape,
  questionText: QuestionText = traceQuestion,
): CountdownTrace {
  const { nums, target, solution } = makeProblem(rng, shape);
  if (shape.style === 'terse') return terseTrace(rng, id, shape, questionText, nums, target, solution);
  if (shape.style === 'checklist') return checklistTrace(id, questionText(nums, target), nums, target);
  const list = nums.join(', ');
  const question = questionText(nums, target);
  const paragraphs: string[] = [];
  const structure: CountdownTrace['structure'] = [];
  const add = (
    role: CountdownTrace['structure'][number]['role'],
    dependsOn: number[],
    text: string,
  ): number => {
    paragraphs.push(text);
    structure.push({ role, dependsOn });
    return paragraphs.length - 1;
  };
  add(
    'setup',
    [],
    `Okay, so I need to combine the numbers ${list} to make ${target}, using each number exactly once with +, -, * and /. ` +
      `Let me think about which combinations could get close to ${target}.`,
  );
  const failures = 1 + Math.floor(rng() * (shape.maxFailedAttempts ?? 4));
  const seen = new Set<string>([solution.expression]);
  let opened = 0;
  for (let tries = 0; opened < failures && tries < 200; tries++) {
    const at = randomAttempt(rng, nums);
    if (!at || at.value === target || seen.has(at.expression)) continue;
    seen.add(at.expression);
    const attemptAt = add(
      'attempt',
      [0],
      attemptParagraph(rng, at, target, opened === 0 ? 'Let me try' : pick(rng, OPENERS.slice(1))),
    );
    opened += 1;
    if (rng() < 0.2) {
      // Revisiting the attempt just made: a dependent step (R1's "Wait, ...").
      add('revise', [attemptAt], reviseParagraph(at.steps[at.steps.length - 1]!, target));
    }
  }
  let solvedAt: number;
  if (rng() < 0.35) {
    // Step-by-step style: the working combination is built one paragraph per step, each reusing the
    // running value of the step before (a sequential chain: little parallelism).
    const s0 = solution.steps[0]!;
    let prev = add(
      'step',
      [0],
      `${pick(rng, OPENERS.slice(1))} building it up one step at a time, starting from ${s0.a} and ${s0.b}. ` +
        `${s0.a} ${opSymbol[s0.op]} ${s0.b} = ${s0.result}. ` +
        (solution.order.length > 2
          ? `That leaves ${solution.order.slice(2).join(' and ')} to use. `
          : 'Every number is used now. ') +
        `The gap to ${target} is ${Math.abs(target - s0.result)}. ` +
        `Keep ${s0.result} as the running value.`,
    );
    solution.steps.slice(1).forEach((st, k) => {
      const left = solution.order.slice(k + 3);
      prev = add(
        'step',
        [prev],
        `Next, take the running value ${st.a} and apply ${st.op} ${st.b}. ` +
          `${st.a} ${opSymbol[st.op]} ${st.b} = ${st.result}. ` +
          `${left.length ? `Still to use: ${left.join(' and ')}.` : 'Every number is used now.'} ` +
          `The gap to ${target} is ${Math.abs(target - st.result)}. ` +
          `${st.result === target ? `So ${solution.expression} works.` : `Keep ${st.result} as the running value.`}`,
      );
    });
    solvedAt = prev;
  } else solvedAt = add('attempt', [0], attemptParagraph(rng, solution, target, pick(rng, OPENERS.slice(1))));
  const verify = [
    `Let me verify ${solution.expression} carefully.`,
    ...solution.steps.map((s) => `${s.a} ${opSymbol[s.op]} ${s.b} = ${s.result}.`),
    `The numbers used are ${[...solution.order].sort((a, b) => a - b).join(', ')}, each exactly once.`,
    `The result is ${solution.value}, which matches the target ${target}.`,
  ];
  verify.push(`So the answer is ${solution.expression}.`);
  add('verify', [solvedAt], verify.join(' '));
  const solutionText = `The equation ${solution.expression} uses each number once and equals ${target}.\n\n\\boxed{${solution.expression}}`;
  return {
    id,
    question,
    trace: paragraphs.join('\n\n'),
    solution: solutionText,
    answer: solution.expression,
    nums,
    target,
    structure,
  };
}

/** An attempt's steps as terse sentences (`3 * 5 = 15.`). */
const terseSteps = (at: Attempt) => at.steps.map((s) => `${s.a} ${s.op} ${s.b} = ${s.result}.`);

/** A terse attempt: its plan sentence, the steps, and whether the value is the target. */
function terseAttempt(at: Attempt, target: number, opener: string): string {
  const verdict = at.value === target ? `${target} is the target.` : `${at.value} is not ${target}.`;
  return [`${opener} ${at.expression}.`, ...terseSteps(at), verdict].join(' ');
}

/**
 * The terse style: the set-up restates the numbers and the target in one fixed sentence (the first
 * thing the model writes is a short-range copy of the question), each attempt is a plan sentence
 * with a cue the offline extractor knows ("Let me try", "Maybe try"), its steps and a verdict, and
 * the verification (unless `verify: false`) repeats the working steps. No revisions or step-by-step chains: every trace has
 * the parallel shape (attempts side by side in round 1, the verification in round 2).
 */
function terseTrace(
  rng: () => number,
  id: string,
  shape: CountdownTraceShape,
  questionText: QuestionText,
  nums: number[],
  target: number,
  solution: Attempt,
): CountdownTrace {
  const paragraphs = [`Use ${nums.join(', ')} to make ${target}.`];
  const structure: CountdownTrace['structure'] = [{ role: 'setup', dependsOn: [] }];
  const failures = 1 + Math.floor(rng() * (shape.maxFailedAttempts ?? 4));
  const seen = new Set<string>([solution.expression]);
  // The first attempt opens with "Let me try", later ones with "Maybe try" (both offline-extractor cues).
  const opener = () => (paragraphs.length === 1 ? 'Let me try' : 'Maybe try');
  for (let tries = 0; paragraphs.length - 1 < failures && tries < 200; tries++) {
    const at = randomAttempt(rng, nums);
    if (!at || at.value === target || seen.has(at.expression)) continue;
    seen.add(at.expression);
    paragraphs.push(terseAttempt(at, target, opener()));
    structure.push({ role: 'attempt', dependsOn: [0] });
  }
  paragraphs.push(terseAttempt(solution, target, opener()));
  structure.push({ role: 'attempt', dependsOn: [0] });
  const solvedAt = paragraphs.length - 1;
  if (shape.verify !== false) {
    paragraphs.push(
      [
        `Let me verify ${solution.expression}.`,
        ...terseSteps(solution),
        `So the answer is ${solution.expression}.`,
      ].join(' '),
    );
    structure.push({ role: 'verify', dependsOn: [solvedAt] });
  }
  return {
    id,
    question: questionText(nums, target),
    trace: paragraphs.join('\n\n'),
    solution: `\\boxed{${solution.expression}}`,
    answer: solution.expression,
    nums,
    target,
    structure,
  };
}

/** `count` traces from one seed, JSONL-ready: `{ id, question, trace, solution, answer }` (+ nums, target). */
export function generateCountdownTraces(
  count: number,
  seed: number,
  shape: CountdownTraceShape = defaultTraceShape,
  questionText: QuestionText = traceQuestion,
): CountdownTrace[] {
  checkTraceShape(shape);
  const rng = seededRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    generateCountdownTrace(rng, `countdown-${seed}-${i + 1}`, shape, questionText),
  );
}

/**
 * `count` traces from one seed whose problems (numbers as a multiset, and target) are none of
 * `exclude`: the held-out evaluation problems. Draws continue from the same seeded stream past an
 * excluded problem, so the result is as deterministic as generateCountdownTraces; ids number the
 * kept traces. Throws when the excluded problems leave too few to draw.
 */
export function generateCountdownTracesExcluding(
  count: number,
  seed: number,
  shape: CountdownTraceShape,
  questionText: QuestionText | undefined,
  exclude: readonly { nums: readonly number[]; target: number }[],
): CountdownTrace[] {
  checkTraceShape(shape);
  const key = (nums: readonly number[], target: number) =>
    `${[...nums].sort((a, b) => a - b).join(',')}->${target}`;
  const excluded = new Set(exclude.map((p) => key(p.nums, p.target)));
  const rng = seededRandom(seed);
  const out: CountdownTrace[] = [];
  for (let draws = 0; out.length < count; draws++) {
    if (draws >= count * 100)
      throw new Error(
        `countdown traces: only ${out.length} of ${count} drawn outside the ${excluded.size} excluded problems in ${draws} draws; widen the shape`,
      );
    const t = generateCountdownTrace(rng, `countdown-${seed}-${out.length + 1}`, shape, questionText);
    if (!excluded.has(key(t.nums, t.target))) out.push(t);
  }
  return out;
}

/** Evaluates a left-to-right expression of the generator (for tests): numbers, + - * /, parentheses. */
export function evaluateExpression(expr: string): number {
  const tokens = expr.match(/\d+|[-+*/()]/g) ?? [];
  let i = 0;
  const primary = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    return Number(t);
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  return sum();
}
