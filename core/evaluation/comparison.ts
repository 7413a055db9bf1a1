/*
 * The comparison table of models evaluated on the same problems (the demo's three rows, `sprint
 * pipeline --compare`): accuracy with its 95% Wilson interval, sequential and total tokens, wall
 * time; as markdown, and as a chart of accuracy against mean sequential tokens. Pure.
 */
import { wilson } from './stats';
import type { RunSummary } from './summary';
import { scatterSvg } from './svg';

export interface ComparisonRow {
  label: string;
  method: string;
  problems: number;
  correct: number;
  accuracy: number;
  /** 95% Wilson score interval of the accuracy. */
  ci95: { low: number; high: number };
  meanSequentialTokens: number;
  medianSequentialTokens: number;
  /** Generated tokens per problem, every call of the session (compute). */
  meanTotalTokens: number;
  sumTotalTokens: number;
  /** Wall time per problem (session start to end), mean and median, in milliseconds. */
  wallMsMean: number;
  wallMsMedian: number;
}

export function comparisonRow(label: string, s: RunSummary): ComparisonRow {
  return {
    label,
    method: s.method,
    problems: s.problems,
    correct: s.correct,
    accuracy: s.problems ? s.correct / s.problems : 0,
    ci95: wilson(s.correct, s.problems),
    meanSequentialTokens: s.tokens.meanSequential,
    medianSequentialTokens: s.tokens.medianSequential,
    meanTotalTokens: s.tokens.meanTotal,
    sumTotalTokens: s.tokens.sumTotal,
    wallMsMean: s.wallMs.mean,
    wallMsMedian: s.wallMs.median,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** The rows as a markdown table, one line each, in the given order. */
export function comparisonMarkdown(rows: readonly ComparisonRow[]): string {
  const head =
    '| model | method | correct | accuracy (95% CI) | sequential tokens mean / median | total tokens mean (sum) | wall per problem mean / median |\n' +
    '|---|---|---:|---|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${escapeCell(r.label)} | ${r.method} | ${r.correct}/${r.problems} | ${pct(r.accuracy)} (${pct(r.ci95.low)}-${pct(r.ci95.high)}) | ` +
      `${r.meanSequentialTokens} / ${r.medianSequentialTokens} | ${r.meanTotalTokens} (${r.sumTotalTokens}) | ` +
      `${(r.wallMsMean / 1000).toFixed(2)} s / ${(r.wallMsMedian / 1000).toFixed(2)} s |`,
  );
  return [head, ...lines].join('\n') + '\n';
}

/** Accuracy (with its interval) against mean sequential tokens, one point per row. */
export function comparisonChartSvg(rows: readonly ComparisonRow[], title: string): string {
  return scatterSvg({
    title,
    xLabel: 'mean sequential tokens per problem',
    yLabel: 'accuracy (95% Wilson interval)',
    yPercent: true,
    points: rows.map((r) => ({
      label: `${r.label} (${r.method})`,
      x: r.meanSequentialTokens,
      y: r.accuracy,
      yLow: r.ci95.low,
      yHigh: r.ci95.high,
    })),
  });
}

/**
 * The claim the demo checks (docs/demo.md): both trained models above the untrained one, and the
 * SPRINT model within `maxAccuracyDrop` of the sequential one's accuracy in at most `maxTokenRatio`
 * of its mean sequential tokens. One line per target, each saying met or MISSED with its numbers.
 */
export function claimChecks(
  rows: { untrained: ComparisonRow; sequential: ComparisonRow; sprint: ComparisonRow },
  maxTokenRatio = 0.75,
  maxAccuracyDrop = 0.1,
): { met: boolean; line: string }[] {
  const { untrained, sequential, sprint } = rows;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const ratio = sequential.meanSequentialTokens
    ? sprint.meanSequentialTokens / sequential.meanSequentialTokens
    : Number.POSITIVE_INFINITY;
  const drop = sequential.accuracy - sprint.accuracy;
  const above = (r: ComparisonRow) => r.accuracy > untrained.accuracy;
  const checks = [
    {
      met: above(sequential) && above(sprint),
      line: `trained above untrained: sequential ${pct(sequential.accuracy)}, SPRINT ${pct(sprint.accuracy)} vs untrained ${pct(untrained.accuracy)}`,
    },
    {
      met: ratio <= maxTokenRatio,
      line: `SPRINT mean sequential tokens ${sprint.meanSequentialTokens} = ${ratio.toFixed(2)}x the sequential model's ${sequential.meanSequentialTokens} (target <= ${maxTokenRatio}x)`,
    },
    {
      met: drop <= maxAccuracyDrop,
      line: `SPRINT accuracy ${pct(sprint.accuracy)} vs sequential ${pct(sequential.accuracy)}: ${drop > 0 ? `${(drop * 100).toFixed(1)} points lower` : 'not lower'} (target: within ${maxAccuracyDrop * 100} points)`,
    },
  ];
  return checks.map((c) => ({ met: c.met, line: `${verdict(c.met)}: ${c.line}` }));
}
