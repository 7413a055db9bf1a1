/* Summaries of evaluation runs, the length-bucket view and paired comparisons (pure). */
import type { ProblemRecord } from './types';
import { binIndex, binLabel, distribution, mcnemarExact, mean, quantile, wilson } from './stats';

export interface RunSummary {
  evalId: string;
  benchmark: string;
  method: string;
  problems: number;
  correct: number;
  accuracy: number;
  ci95: { low: number; high: number };
  /** Problems whose method run failed (counted as wrong). */
  errors: number;
  /** Problems with no answer found in the output (counted as wrong). */
  noAnswer: number;
  tokens: {
    meanSequential: number;
    medianSequential: number;
    p90Sequential: number;
    meanTotal: number;
    meanPrompt: number;
    meanCachedPrompt: number;
    sumTotal: number;
  };
  meanRounds: number;
  rounds: { value: number; count: number }[];
  /** Over every round of every problem: how many prompts (executors) it fanned out. */
  promptsPerRound: { value: number; count: number }[];
  wallMs: { mean: number; median: number; p90: number; max: number };
  tokenSource: 'engine' | 'approx-chars' | 'mixed';
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Keeps the last record per problem id (a resumed run may have appended one twice), in first-seen order. */
export function dedupeRecords(records: ProblemRecord[]): ProblemRecord[] {
  const byId = new Map<string, ProblemRecord>();
  for (const r of records) {
    if (byId.has(r.problemId)) byId.delete(r.problemId);
    byId.set(r.problemId, r);
  }
  const order = [...new Set(records.map((r) => r.problemId))];
  return order.map((id) => byId.get(id)!);
}

export function summarize(records: ProblemRecord[]): RunSummary {
  const rs = dedupeRecords(records);
  const first = rs[0];
  const correct = rs.filter((r) => r.correct).length;
  const seq = rs.map((r) => r.tokens.sequential);
  const wall = rs.map((r) => r.wallMs);
  const sources = new Set(rs.map((r) => r.tokenSource ?? 'engine'));
  const ci = wilson(correct, rs.length);
  return {
    evalId: first?.evalId ?? '',
    benchmark: first?.benchmark ?? '',
    method: first?.method ?? '',
    problems: rs.length,
    correct,
    accuracy: rs.length ? round(correct / rs.length) : 0,
    ci95: { low: round(ci.low), high: round(ci.high) },
    errors: rs.filter((r) => r.error).length,
    noAnswer: rs.filter((r) => !r.error && r.extracted === null).length,
    tokens: {
      meanSequential: round(mean(seq), 1),
      medianSequential: round(quantile(seq, 0.5), 1),
      p90Sequential: round(quantile(seq, 0.9), 1),
      meanTotal: round(mean(rs.map((r) => r.tokens.total)), 1),
      meanPrompt: round(mean(rs.map((r) => r.tokens.prompt)), 1),
      meanCachedPrompt: round(mean(rs.map((r) => r.tokens.cachedPrompt)), 1),
      sumTotal: rs.reduce((s, r) => s + r.tokens.total, 0),
    },
    meanRounds: round(mean(rs.map((r) => r.rounds)), 2),
    rounds: distribution(rs.map((r) => r.rounds)),
    promptsPerRound: distribution(rs.flatMap((r) => r.promptsPerRound)),
    wallMs: {
      mean: Math.round(mean(wall)),
      median: Math.round(quantile(wall, 0.5)),
      p90: Math.round(quantile(wall, 0.9)),
      max: Math.max(0, ...wall),
    },
    tokenSource: sources.size > 1 ? 'mixed' : (sources.values().next().value ?? 'engine'),
  };
}

export interface BucketRow {
  bin: string;
  /** Problems in the bin (binned by the baseline's sequential tokens), present in both runs. */
  problems: number;
  baselineMeanSequential: number;
  methodMeanSequential: number;
  /** 1 - method / baseline (mean over the bin): positive = fewer sequential tokens than the baseline. */
  reduction: number;
  baselineAccuracy: number;
  methodAccuracy: number;
}

/** The paper's length-bucket view: problems binned by the baseline's length, each method's saving per bin. */
export function lengthBuckets(
  baseline: ProblemRecord[],
  method: ProblemRecord[],
  edges: number[],
): BucketRow[] {
  const other = new Map(dedupeRecords(method).map((r) => [r.problemId, r]));
  const bins = new Map<number, { base: ProblemRecord; m: ProblemRecord }[]>();
  for (const b of dedupeRecords(baseline)) {
    const m = other.get(b.problemId);
    if (!m) continue;
    const i = binIndex(b.tokens.sequential, edges);
    bins.set(i, [...(bins.get(i) ?? []), { base: b, m }]);
  }
  return [...bins.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([i, pairs]) => {
      const bm = mean(pairs.map((p) => p.base.tokens.sequential));
      const mm = mean(pairs.map((p) => p.m.tokens.sequential));
      return {
        bin: binLabel(i, edges),
        problems: pairs.length,
        baselineMeanSequential: round(bm, 1),
        methodMeanSequential: round(mm, 1),
        reduction: bm > 0 ? round(1 - mm / bm) : 0,
        baselineAccuracy: round(pairs.filter((p) => p.base.correct).length / pairs.length),
        methodAccuracy: round(pairs.filter((p) => p.m.correct).length / pairs.length),
      };
    });
}

export interface PairedComparison {
  a: string;
  b: string;
  /** Problems graded in both runs. */
  common: number;
  onlyInA: number;
  onlyInB: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyB - accuracyA on the common problems. */
  difference: number;
  bothRight: number;
  /** A right, B wrong. */
  aOnlyRight: number;
  /** A wrong, B right. */
  bOnlyRight: number;
  bothWrong: number;
  /** McNemar's exact two-sided p-value. */
  pValue: number;
  /** Per-problem sequential-token ratio B/A (problems where A > 0). */
  tokenRatio: { mean: number; median: number; geometricMean: number; p10: number; p90: number };
}

export function comparePaired(
  a: ProblemRecord[],
  b: ProblemRecord[],
  labels: [string, string],
): PairedComparison {
  const A = new Map(dedupeRecords(a).map((r) => [r.problemId, r]));
  const B = new Map(dedupeRecords(b).map((r) => [r.problemId, r]));
  const common = [...A.keys()].filter((id) => B.has(id));
  let bothRight = 0;
  let aOnly = 0;
  let bOnly = 0;
  let bothWrong = 0;
  const ratios: number[] = [];
  for (const id of common) {
    const x = A.get(id)!;
    const y = B.get(id)!;
    if (x.correct && y.correct) bothRight++;
    else if (x.correct) aOnly++;
    else if (y.correct) bOnly++;
    else bothWrong++;
    if (x.tokens.sequential > 0) ratios.push(y.tokens.sequential / x.tokens.sequential);
  }
  const n = common.length;
  const accA = n ? (bothRight + aOnly) / n : 0;
  const accB = n ? (bothRight + bOnly) / n : 0;
  const positive = ratios.filter((r) => r > 0);
  return {
    a: labels[0],
    b: labels[1],
    common: n,
    onlyInA: A.size - n,
    onlyInB: B.size - n,
    accuracyA: round(accA),
    accuracyB: round(accB),
    difference: round(accB - accA),
    bothRight,
    aOnlyRight: aOnly,
    bOnlyRight: bOnly,
    bothWrong,
    pValue: round(mcnemarExact(aOnly, bOnly), 6),
    tokenRatio: {
      mean: round(mean(ratios)),
      median: round(quantile(ratios, 0.5)),
      geometricMean: positive.length ? round(Math.exp(mean(positive.map(Math.log)))) : 0,
      p10: round(quantile(ratios, 0.1)),
      p90: round(quantile(ratios, 0.9)),
    },
  };
}
