/*
 * Equivalence of math answers: string normalisation first, then structure (tuples, intervals, sets,
 * matrices, lists, equations) element by element, then numeric and symbolic equality through the
 * Compute Engine CAS (LaTeX in, exact and numeric evaluation). Pure: no I/O, no clocks, no randomness
 * (substitution points are fixed). Not for workflow code (the CAS bundle is large): grade in activities.
 */
import type { ComputeEngine } from '@cortex-js/compute-engine';
import { normalizeMath } from './normalize';

type Expr = NonNullable<ReturnType<ComputeEngine['parse']>>;

let engine: ComputeEngine | undefined;
function ce(): ComputeEngine {
  // Loaded on the first symbolic comparison, not with this module: the CAS is one large file
  // (about 0.5 s to load) that the control worker would otherwise parse before its first poll,
  // and most answers are settled by string normalisation without it.
  if (!engine) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cas = require('@cortex-js/compute-engine') as typeof import('@cortex-js/compute-engine');
    engine = new cas.ComputeEngine();
  }
  return engine;
}

/** Splits at `sep` outside (), [], {} and `\{ \}`. */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** True when the outer bracket at 0 closes at the very end (so "(1)+(2)" is not one group). */
function wraps(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0 && i < s.length - 1) return false;
    }
  }
  return depth === 0;
}

type Shape =
  | { kind: 'matrix'; rows: string[][] }
  | { kind: 'union'; parts: string[] }
  | { kind: 'set'; parts: string[] }
  | { kind: 'bracketed'; open: string; close: string; parts: string[] }
  | { kind: 'list'; parts: string[] }
  | { kind: 'equation'; left: string; right: string }
  | { kind: 'scalar'; value: string };

function shapeOf(s: string): Shape {
  const matrix = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$/.exec(s);
  if (matrix) {
    const rows = matrix[2]!.split(/\\\\/).filter((r) => r.length);
    return { kind: 'matrix', rows: rows.map((r) => r.split('&')) };
  }
  const unions = splitTopLevel(s, '\\cup');
  if (unions.length > 1) return { kind: 'union', parts: unions };
  if (s.startsWith('\\{') && s.endsWith('\\}')) {
    return { kind: 'set', parts: splitTopLevel(s.slice(2, -2), ',') };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && wraps(s)) {
    const parts = splitTopLevel(s.slice(1, -1), ',');
    if (parts.length > 1) return { kind: 'bracketed', open: s[0]!, close: s[s.length - 1]!, parts };
  }
  const list = splitTopLevel(s, ',');
  if (list.length > 1) return { kind: 'list', parts: list };
  const sides = splitTopLevel(s, '=');
  if (sides.length === 2) return { kind: 'equation', left: sides[0]!, right: sides[1]! };
  return { kind: 'scalar', value: s };
}

/** Fixed substitution points for free variables (deterministic; unlikely to hit special values). */
const POINTS = [0.5377, 1.8339, -2.2588, 0.8622];

function close(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

function numeric(e: Expr): { re: number; im: number } {
  const n = e.N();
  return { re: n.re, im: n.im };
}

function parseLatex(s: string): Expr | null {
  try {
    const e = ce().parse(s);
    return e && e.isValid ? e : null;
  } catch {
    return null;
  }
}

/** Numeric or symbolic equality of two scalar LaTeX expressions (already normalised). */
function casEqual(a: string, b: string): boolean {
  const x = parseLatex(a);
  const y = parseLatex(b);
  if (!x || !y) return false;
  const vars = [...new Set([...x.unknowns, ...y.unknowns])];
  if (vars.length === 0) {
    const p = numeric(x);
    const q = numeric(y);
    if (Number.isNaN(p.re) || Number.isNaN(q.re)) return false;
    return close(p.re, q.re) && close(p.im || 0, q.im || 0);
  }
  try {
    if (x.isEqual(y) === true) return true;
  } catch {
    // fall through to substitution
  }
  let checked = 0;
  for (let k = 0; k < POINTS.length; k++) {
    const at: Record<string, number> = {};
    vars.forEach((v, i) => (at[v] = POINTS[(k + i) % POINTS.length]! + i * 0.1));
    let p: { re: number; im: number };
    let q: { re: number; im: number };
    try {
      p = numeric(x.subs(at));
      q = numeric(y.subs(at));
    } catch {
      return false;
    }
    if (Number.isNaN(p.re) || Number.isNaN(q.re)) continue;
    if (!close(p.re, q.re) || !close(p.im || 0, q.im || 0)) return false;
    checked++;
  }
  return checked > 0;
}

const WORD = /^[A-Za-z][A-Za-z ]{2,}$/;

function scalarEqual(a: string, b: string): boolean {
  if (a === b) return true;
  if (WORD.test(a) || WORD.test(b)) return a.toLowerCase() === b.toLowerCase();
  return casEqual(a, b);
}

const VARIABLE = /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?$/;

/** `v = expr` against a bare value: the side opposite a lone variable must equal the value. */
function equationMatchesValue(eq: { left: string; right: string }, value: string): boolean {
  if (VARIABLE.test(eq.left) && scalarEqual(eq.right, value)) return true;
  return VARIABLE.test(eq.right) && scalarEqual(eq.left, value);
}

function orderedEqual(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => normalizedEqual(x, b[i]!));
}

function unorderedEqual(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const used = new Set<number>();
  return a.every((x) => {
    const j = b.findIndex((y, k) => !used.has(k) && normalizedEqual(x, y));
    if (j < 0) return false;
    used.add(j);
    return true;
  });
}

function normalizedEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const p = shapeOf(a);
  const q = shapeOf(b);
  if (p.kind !== q.kind) {
    // "x = 3" (an equation with an expression side) against a scalar: compare the right side
    if (p.kind === 'equation' && q.kind === 'scalar') return equationMatchesValue(p, q.value);
    if (q.kind === 'equation' && p.kind === 'scalar') return equationMatchesValue(q, p.value);
    return false;
  }
  switch (p.kind) {
    case 'matrix': {
      const r = (q as typeof p).rows;
      return p.rows.length === r.length && p.rows.every((row, i) => orderedEqual(row, r[i]!));
    }
    case 'union':
      return unorderedEqual(p.parts, (q as typeof p).parts);
    case 'set':
    case 'list':
      return unorderedEqual(p.parts, (q as typeof p).parts);
    case 'bracketed': {
      const o = q as typeof p;
      return p.open === o.open && p.close === o.close && orderedEqual(p.parts, o.parts);
    }
    case 'equation': {
      const o = q as typeof p;
      if (scalarEqual(p.left, o.left) && scalarEqual(p.right, o.right)) return true;
      if (scalarEqual(p.left, o.right) && scalarEqual(p.right, o.left)) return true;
      const d1 = `(${p.left})-(${p.right})`;
      const d2 = `(${o.left})-(${o.right})`;
      return casEqual(d1, d2) || casEqual(d1, `(${o.right})-(${o.left})`);
    }
    case 'scalar':
      return scalarEqual(p.value, (q as typeof p).value);
  }
}

/** Whether a predicted math answer equals the reference answer. Never throws. */
export function mathEquivalent(predicted: string | null, reference: string): boolean {
  if (predicted === null) return false;
  const a = normalizeMath(predicted);
  const b = normalizeMath(reference);
  if (!a.length || !b.length) return false;
  try {
    return normalizedEqual(a, b);
  } catch {
    return false;
  }
}
