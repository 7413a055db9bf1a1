/*
 * Benchmarks as data (pure): problem records, the seeded GPQA option shuffle, the seeded Countdown
 * generator, record parsing with clear per-line errors, and a small CSV reader.
 */
import { oneOf } from '../closed-set';
import { reachable } from '../grading/countdown';
import type { GradeTarget } from '../grading/grade';
import type { AnswerKind } from '../methods/baselines';

import { benchmarkNames, type BenchmarkName } from './names';

export { benchmarkNames, type BenchmarkName } from './names';

/** One problem, ready to ask and to grade. */
export interface BenchmarkProblem {
  id: string;
  benchmark: BenchmarkName;
  /** The text sent to the model. */
  question: string;
  target: GradeTarget;
  /** Benchmark fields kept for reports (subject, level, ...). */
  meta?: Record<string, string | number>;
}

/** A record that could not be used: where it is and why. */
export class BenchmarkRecordError extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'BenchmarkRecordError';
  }
}

/** mulberry32: a small seeded generator (deterministic; fine for shuffles and sampling). */
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

/** FNV-1a of a string: a stable per-question seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function str(row: Record<string, unknown>, key: string, where: string): string {
  const v = row[key];
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || !v.trim())
    throw new BenchmarkRecordError(where, `field "${key}" is missing or empty`);
  return v;
}

// ---------------------------------------------------------------- MATH500

export const MATH_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

/** A MATH500 record (PRM800K test split: problem, answer, subject, level, unique_id). */
export function mathProblem(row: Record<string, unknown>, where: string): BenchmarkProblem {
  const problem = str(row, 'problem', where);
  const answer = str(row, 'answer', where);
  const id =
    typeof row.unique_id === 'string' && row.unique_id
      ? row.unique_id
      : `math-${hashSeed(problem).toString(16)}`;
  const meta: Record<string, string | number> = {};
  if (typeof row.subject === 'string') meta.subject = row.subject;
  if (typeof row.level === 'number' || typeof row.level === 'string') meta.level = row.level;
  return {
    id,
    benchmark: 'math500',
    question: `${problem}\n\n${MATH_INSTRUCTION}`,
    target: { kind: 'math', answer },
    meta,
  };
}

// ---------------------------------------------------------------- AIME 2024

/**
 * An AIME 2024 record, in the columns of either Hub edition: HuggingFaceH4/aime_2024 (`id` int,
 * `problem`, `answer` text, `solution`, `url`, `year`) or Maxwell-Jia/AIME_2024 (`ID` such as
 * "2024-I-1", `Problem`, `Answer` int, `Solution`). The id is the dataset's own; answers are integers
 * 0..999 and graded as math answers, with the MATH500 instruction.
 */
export function aimeProblem(row: Record<string, unknown>, where: string): BenchmarkProblem {
  // the column this edition has (present, even when empty), so an error names the real column
  const field = (...keys: string[]) => keys.find((k) => k in row) ?? keys[0]!;
  const problem = str(row, field('problem', 'Problem'), where);
  const answer = str(row, field('answer', 'Answer'), where).trim();
  const rawId = row[field('id', 'ID')];
  const id =
    typeof rawId === 'number' || (typeof rawId === 'string' && rawId.trim())
      ? String(rawId).trim()
      : `aime2024-${hashSeed(problem).toString(16)}`;
  const meta: Record<string, string | number> = {};
  if (typeof row.year === 'string' || typeof row.year === 'number') meta.year = row.year;
  if (typeof row.url === 'string') meta.url = row.url;
  return {
    id,
    benchmark: 'aime2024',
    question: `${problem}\n\n${MATH_INSTRUCTION}`,
    target: { kind: 'math', answer },
    meta,
  };
}

// ---------------------------------------------------------------- GPQA

const LETTERS = ['A', 'B', 'C', 'D'];

/**
 * A GPQA record: a question, the correct answer and three incorrect ones. Accepts the dataset's CSV
 * column names ("Question", "Correct Answer", "Incorrect Answer 1..3") or camel/snake keys. Options
 * are shuffled with a seed derived from (seed, question id), so the letter is stable across runs.
 */
export function gpqaProblem(row: Record<string, unknown>, where: string, seed = 0): BenchmarkProblem {
  const pick = (...keys: string[]) => {
    const key = keys.find((k) => typeof row[k] === 'string' && row[k].trim());
    if (!key) throw new BenchmarkRecordError(where, `field "${keys[0]}" is missing or empty`);
    return String(row[key]).trim();
  };
  const question = pick('Question', 'question');
  const correct = pick('Correct Answer', 'correct_answer', 'correct');
  const incorrect = [1, 2, 3].map((i) =>
    pick(`Incorrect Answer ${i}`, `incorrect_answer_${i}`, `incorrect${i}`),
  );
  const id =
    typeof row['Record ID'] === 'string'
      ? row['Record ID']
      : typeof row.id === 'string'
        ? row.id
        : `gpqa-${hashSeed(question).toString(16)}`;
  const rand = seededRandom(hashSeed(`${seed}:${id}`));
  const options = [correct, ...incorrect];
  for (let i = options.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [options[i], options[j]] = [options[j]!, options[i]!];
  }
  const letter = LETTERS[options.indexOf(correct)]!;
  const text =
    `${question}\n\n${options.map((o, i) => `${LETTERS[i]}) ${o}`).join('\n')}\n\n` +
    'Think step by step, then end with a line "Answer: X" where X is the letter of the correct option.';
  return {
    id,
    benchmark: 'gpqa',
    question: text,
    target: { kind: 'choice', letter },
    meta: { options: options.join(' | ') },
  };
}

// ---------------------------------------------------------------- Countdown

export interface CountdownConfig {
  /** How many numbers per problem: each drawn from this inclusive range. */
  minNumbers: number;
  maxNumbers: number;
  numberMax: number;
  targetMin: number;
  targetMax: number;
  requireIntegerDivision: boolean;
  /** Skip a problem drawn before (numbers in any order, and target): every problem counts once. */
  distinct?: boolean;
}

export const defaultCountdown: CountdownConfig = {
  minNumbers: 3,
  maxNumbers: 4,
  numberMax: 99,
  targetMin: 10,
  targetMax: 100,
  requireIntegerDivision: false,
};

export function countdownQuestion(nums: number[], target: number): string {
  return (
    `Using the numbers [${nums.join(', ')}], create an equation that equals ${target}. ` +
    'You may use + - * / and parentheses, and each number exactly once. ' +
    'Show your work, then give the equation alone in \\boxed{}, for example \\boxed{(1 + 2) * 3}.'
  );
}

export function countdownProblem(
  nums: number[],
  target: number,
  id: string,
  requireIntegerDivision = false,
): BenchmarkProblem {
  return {
    id,
    benchmark: 'countdown',
    question: countdownQuestion(nums, target),
    target: { kind: 'countdown', nums, target, requireIntegerDivision },
    meta: { nums: nums.join(' '), target },
  };
}

/** A Countdown JSONL record `{ nums, target }` (also `numbers`), validated. */
export function countdownRecord(
  row: Record<string, unknown>,
  where: string,
  index: number,
  requireIntegerDivision = false,
): BenchmarkProblem {
  const nums = row.nums ?? row.numbers;
  if (
    !Array.isArray(nums) ||
    nums.length < 2 ||
    !nums.every((n) => Number.isInteger(n) && (n as number) > 0)
  ) {
    throw new BenchmarkRecordError(where, '"nums" must be a list of at least two positive integers');
  }
  if (!Number.isInteger(row.target)) throw new BenchmarkRecordError(where, '"target" must be an integer');
  const id = typeof row.id === 'string' ? row.id : `countdown-${index}`;
  return countdownProblem(nums as number[], row.target as number, id, requireIntegerDivision);
}

/**
 * `count` solvable problems from a seed: numbers in 1..numberMax, a target in range that the
 * numbers reach (checked by the exact solver). Deterministic for a given seed and config.
 */
export function generateCountdown(
  count: number,
  seed: number,
  cfg: CountdownConfig = defaultCountdown,
): BenchmarkProblem[] {
  const rand = seededRandom(seed);
  const out: BenchmarkProblem[] = [];
  const drawn = new Set<string>();
  let attempts = 0;
  while (out.length < count) {
    if (++attempts > count * 200)
      throw new Error('countdown generator: too few solvable draws; widen the ranges');
    const n = cfg.minNumbers + Math.floor(rand() * (cfg.maxNumbers - cfg.minNumbers + 1));
    const nums = Array.from({ length: n }, () => 1 + Math.floor(rand() * cfg.numberMax));
    const targets = [...reachable(nums, { requireIntegerDivision: cfg.requireIntegerDivision }).keys()]
      .filter((k) => k.endsWith('/1'))
      .map((k) => Number(k.slice(0, -2)))
      .filter((t) => t >= cfg.targetMin && t <= cfg.targetMax && !nums.includes(t))
      .sort((a, b) => a - b);
    if (!targets.length) continue;
    const target = targets[Math.floor(rand() * targets.length)]!;
    const key = `${[...nums].sort((a, b) => a - b).join(',')}->${target}`;
    if (cfg.distinct) {
      if (drawn.has(key)) continue;
      drawn.add(key);
    }
    out.push(countdownProblem(nums, target, `countdown-${seed}-${out.length}`, cfg.requireIntegerDivision));
  }
  return out;
}

// ---------------------------------------------------------------- files

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) into rows keyed by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.some((f) => f.length));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

/** Rows of a JSONL text; a bad line is reported with its number and the rest goes on. */
export function parseJsonl(
  text: string,
  source: string,
): { rows: { row: Record<string, unknown>; where: string }[]; errors: BenchmarkRecordError[] } {
  const rows: { row: Record<string, unknown>; where: string }[] = [];
  const errors: BenchmarkRecordError[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${source}:${i + 1}`;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      rows.push({ row: v as Record<string, unknown>, where });
    } catch (err) {
      errors.push(new BenchmarkRecordError(where, `bad JSON line: ${(err as Error).message}`));
    }
  });
  return { rows, errors };
}

// ---------------------------------------------------------------- registry

/** What reading one record may take besides the record: its position and the settings of the readers. */
export interface RecordContext {
  index: number;
  /** Seed of the GPQA option shuffle. */
  seed?: number;
  /** Countdown: reject equations with a non-exact division step. */
  requireIntegerDivision?: boolean;
}

/** A benchmark's behaviour: how its answers are read, and its reader of one record. */
export interface BenchmarkSpec {
  answerKind: AnswerKind;
  read(row: Record<string, unknown>, where: string, context: RecordContext): BenchmarkProblem;
}

/**
 * Every benchmark by name: the one place a benchmark name leads to behaviour. Keyed by the names of
 * ./names.ts, so a name without a reader (or a reader without a name) does not compile.
 */
export const benchmarkRegistry = {
  math500: { answerKind: 'math', read: (row, where) => mathProblem(row, where) },
  aime2024: { answerKind: 'math', read: (row, where) => aimeProblem(row, where) },
  gpqa: { answerKind: 'choice', read: (row, where, { seed }) => gpqaProblem(row, where, seed) },
  countdown: {
    answerKind: 'countdown',
    read: (row, where, { index, requireIntegerDivision }) =>
      countdownRecord(row, where, index, requireIntegerDivision),
  },
} as const satisfies Record<BenchmarkName, BenchmarkSpec>;

/** The spec of a benchmark named by data from outside the types; an unknown name is an error naming the known ones. */
export function benchmarkSpec(name: string, where = 'benchmark'): BenchmarkSpec {
  return benchmarkRegistry[oneOf(where, name, benchmarkNames)];
}

/** Turns parsed rows into problems of a benchmark, collecting bad records instead of stopping. */
export function problemsFromRows(
  benchmark: BenchmarkName,
  rows: { row: Record<string, unknown>; where: string }[],
  opts: { seed?: number; requireIntegerDivision?: boolean } = {},
): { problems: BenchmarkProblem[]; errors: BenchmarkRecordError[] } {
  // checked before the first row: an unknown name is the caller's error, not every record's
  const spec = benchmarkSpec(benchmark);
  const problems: BenchmarkProblem[] = [];
  const errors: BenchmarkRecordError[] = [];
  const seen = new Set<string>();
  rows.forEach(({ row, where }, index) => {
    try {
      const p = spec.read(row, where, { ...opts, index });
      if (seen.has(p.id)) throw new BenchmarkRecordError(where, `duplicate problem id "${p.id}"`);
      seen.add(p.id);
      problems.push(p);
    } catch (err) {
      errors.push(
        err instanceof BenchmarkRecordError ? err : new BenchmarkRecordError(where, (err as Error).message),
      );
    }
  });
  return { problems, errors };
}
