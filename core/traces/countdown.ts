/*
 * Generated reasoning traces for Countdown problems, in the narrated sequential style of
 * DeepSeek-R1: restate the task, try several independent combinations (most fail), sometimes
 * revisit one ("Wait, ..."), find one that works, verify it, and box the equation. The independent
 * attempts are real parallelism for the curation pipeline. Pure and seeded: the same (count, seed)
 * always gives the same traces.
 */

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
  const plan = `${opener} ${opWord[firstOp]} ${at.order[0]} and ${at.order[1]} first, then bring in ${at.order
    .slice(2)
    .join(' and ')}.`;
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

function makeProblem(rng: () => number): { nums: number[]; target: number; solution: Attempt } {
  for (;;) {
    const n = rng() < 0.5 ? 3 : 4;
    const nums = Array.from({ length: n }, () => 1 + Math.floor(rng() * 99));
    const at = randomAttempt(rng, nums);
    if (at && at.value >= 10 && at.value <= 100 && at.steps.every((s) => s.result !== s.a)) {
      return { nums, target: at.value, solution: at };
    }
  }
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
export function generateCountdownTrace(rng: () => number, id: string): CountdownTrace {
  const { nums, target, solution } = makeProblem(rng);
  const list = nums.join(', ');
  const question =
    `Using the numbers [${list}], create an equation that equals ${target}. ` +
    'You can use basic arithmetic operations (+, -, *, /) and each number can only be used once.';
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
  const failures = 1 + Math.floor(rng() * 4);
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
      const last = at.steps[at.steps.length - 1]!;
      add(
        'revise',
        [attemptAt],
        `Wait, maybe the last step should be different. Instead of ${last.a} ${opSymbol[last.op]} ${last.b}, ` +
          `compare ${last.a} + ${last.b} = ${last.a + last.b} and ${last.a} - ${last.b} = ${last.a - last.b}. ` +
          `Neither ${last.a + last.b} nor ${last.a - last.b} equals ${target}. ` +
          `Multiplying instead, ${last.a} \\times ${last.b} = ${last.a * last.b}, which is not ${target} either. ` +
          'So changing only the last operation does not help.',
      );
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
        `That leaves ${solution.order.slice(2).join(' and ')} to use. ` +
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

/** `count` traces from one seed, JSONL-ready: `{ id, question, trace, solution, answer }` (+ nums, target). */
export function generateCountdownTraces(count: number, seed: number): CountdownTrace[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => generateCountdownTrace(rng, `countdown-${seed}-${i + 1}`));
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
