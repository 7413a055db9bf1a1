/*
 * Countdown: a safe expression parser (no eval), exact rational arithmetic on BigInt, a verifier
 * (every given number used exactly once, only + - * /, equals the target) and a solver.
 */

/** An exact rational n/d with d > 0, reduced. */
export interface Rational {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
}

export function rat(n: bigint, d = 1n): Rational {
  if (d === 0n) throw new Error('division by zero');
  const s = d < 0n ? -1n : 1n;
  const g = gcd(n, d) || 1n;
  return { n: (s * n) / g, d: (s * d) / g };
}

const add = (a: Rational, b: Rational) => rat(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Rational, b: Rational) => rat(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Rational, b: Rational) => rat(a.n * b.n, a.d * b.d);
const div = (a: Rational, b: Rational) => rat(a.n * b.d, a.d * b.n);

export type CountdownNode =
  | { kind: 'num'; value: number }
  | { kind: 'op'; op: '+' | '-' | '*' | '/'; left: CountdownNode; right: CountdownNode };

export class CountdownParseError extends Error {}

/** Parses `+ - * /` (also `×`, `÷`, `x` between numbers), parentheses and non-negative integers. */
export function parseCountdown(expr: string): CountdownNode {
  const src = expr
    .replace(/×/g, '*')
    .replace(/÷/g, '/')
    .replace(/(\d|\))\s*x\s*(?=\d|\()/g, '$1*');
  const tokens: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?|[-+*/()]|\S)/y;
  let at = 0;
  for (;;) {
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) break;
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    throw new CountdownParseError(`${what} at token ${pos + 1} of "${expr}"`);
  };
  function primary(): CountdownNode {
    const t = peek();
    if (t === undefined) return fail('expression ends too early');
    if (t === '(') {
      pos++;
      const inner = sum();
      if (peek() !== ')') fail('missing ")"');
      pos++;
      return inner;
    }
    if (/^\d+$/.test(t)) {
      pos++;
      return { kind: 'num', value: Number(t) };
    }
    if (/^\d+\.\d+$/.test(t)) return fail(`"${t}" is not a whole number`);
    if (t === '-') return fail('unary minus is not allowed');
    return fail(`unexpected "${t}" (only numbers, + - * / and parentheses)`);
  }
  function product(): CountdownNode {
    let left = primary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[pos++] as '*' | '/';
      left = { kind: 'op', op, left, right: primary() };
    }
    return left;
  }
  function sum(): CountdownNode {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++] as '+' | '-';
      left = { kind: 'op', op, left, right: product() };
    }
    return left;
  }
  const tree = sum();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return tree;
}

export interface EvalOptions {
  /** Every division must be exact in integers (no fractions at any step). */
  requireIntegerDivision?: boolean;
}

/** Exact value of a tree; throws on division by zero or (when required) a non-integer division. */
export function evaluateCountdown(node: CountdownNode, opts: EvalOptions = {}): Rational {
  if (node.kind === 'num') return rat(BigInt(node.value));
  const a = evaluateCountdown(node.left, opts);
  const b = evaluateCountdown(node.right, opts);
  switch (node.op) {
    case '+':
      return add(a, b);
    case '-':
      return sub(a, b);
    case '*':
      return mul(a, b);
    case '/': {
      if (b.n === 0n) throw new CountdownParseError('division by zero');
      const q = div(a, b);
      if (opts.requireIntegerDivision && q.d !== 1n) {
        throw new CountdownParseError(`${a.n}/${a.d} / ${b.n}/${b.d} is not an exact integer division`);
      }
      return q;
    }
  }
}

function leaves(node: CountdownNode): number[] {
  return node.kind === 'num' ? [node.value] : [...leaves(node.left), ...leaves(node.right)];
}

export interface CountdownVerdict {
  ok: boolean;
  reason?: string;
  value?: string;
}

/** Checks an equation for a Countdown problem: every number exactly once, exact value = target. */
export function verifyCountdown(
  expr: string | null,
  nums: number[],
  target: number,
  opts: EvalOptions = {},
): CountdownVerdict {
  if (expr === null || !expr.trim()) return { ok: false, reason: 'no equation found' };
  let tree: CountdownNode;
  try {
    tree = parseCountdown(expr);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const used = leaves(tree).sort((a, b) => a - b);
  const given = [...nums].sort((a, b) => a - b);
  if (used.join(',') !== given.join(',')) {
    return {
      ok: false,
      reason: `uses [${used.join(', ')}] but must use each of [${given.join(', ')}] exactly once`,
    };
  }
  let value: Rational;
  try {
    value = evaluateCountdown(tree, opts);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const shown = value.d === 1n ? `${value.n}` : `${value.n}/${value.d}`;
  if (value.d !== 1n || value.n !== BigInt(target))
    return { ok: false, reason: `equals ${shown}, not ${target}`, value: shown };
  return { ok: true, value: shown };
}

interface Item {
  value: Rational;
  text: string;
}

/** Every value reachable with all numbers used once (exact), with one expression each. */
export function reachable(nums: number[], opts: EvalOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  const key = (r: Rational) => `${r.n}/${r.d}`;
  const walk = (items: Item[]) => {
    if (items.length === 1) {
      const k = key(items[0]!.value);
      if (!out.has(k)) out.set(k, items[0]!.text);
      return;
    }
    for (let i = 0; i < items.length; i++) {
      for (let j = 0; j < items.length; j++) {
        if (i === j) continue;
        const a = items[i]!;
        const b = items[j]!;
        const rest = items.filter((_, k) => k !== i && k !== j);
        const next: Item[] = [];
        if (i < j) {
          next.push({ value: add(a.value, b.value), text: `(${a.text} + ${b.text})` });
          next.push({ value: mul(a.value, b.value), text: `(${a.text} * ${b.text})` });
        }
        next.push({ value: sub(a.value, b.value), text: `(${a.text} - ${b.text})` });
        if (b.value.n !== 0n) {
          const q = div(a.value, b.value);
          if (!opts.requireIntegerDivision || q.d === 1n)
            next.push({ value: q, text: `(${a.text} / ${b.text})` });
        }
        for (const n of next) walk([...rest, n]);
      }
    }
  };
  walk(nums.map((n) => ({ value: rat(BigInt(n)), text: String(n) })));
  return out;
}

/** An expression reaching `target` with every number once, or null when there is none. */
export function solveCountdown(nums: number[], target: number, opts: EvalOptions = {}): string | null {
  const found = reachable(nums, opts).get(`${target}/1`);
  return found === undefined ? null : found.replace(/^\((.*)\)$/, '$1');
}
