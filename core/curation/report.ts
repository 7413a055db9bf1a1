/*
 * Curation statistics and the run report (Markdown + SVG bar charts drawn here, no chart library:
 * a few rectangles and labels are all a histogram needs). Pure.
 */

export interface TraceOutcome {
  id: string;
  status: 'kept' | 'rejected' | 'failed';
  reason?: string;
  ratio: number;
  stages: number;
  components: number;
  executing: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  repairs: number;
}

export interface CurationStats {
  extractor: string;
  /** Sample layout (`released` or `legacy`, config curation.format). */
  format: string;
  inputLines: number;
  inputRejects: number;
  traces: number;
  kept: number;
  rejected: number;
  failed: number;
  keptFraction: number;
  train: number;
  test: number;
  ratio: { meanAll: number; meanKept: number; histogram: Bin[] };
  stages: { meanKept: number; histogram: Bin[] };
  /** Kept samples by their number of stages (label = stage count). */
  samplesByStages: Bin[];
  /** Traces dropped because their sample is longer than the trainer's max length (never truncated). */
  tooLong: number;
  components: { mean: number; meanExecuting: number };
  reasons: Record<string, number>;
  tokens: { prompt: number; completion: number };
  costUsd: number;
  repairs: number;
  settings: {
    minRatio: number;
    maxStages: number;
    shortExecutionThreshold: number;
    testFraction: number;
    splitSeed: number;
    /** Longest sample kept, in (estimated) tokens of prompt + completion. */
    maxSampleTokens?: number;
  };
}

export interface Bin {
  label: string;
  count: number;
}

/** The outcome reason of a trace whose sample is longer than the trainer's max length. */
export const TOO_LONG = 'too-long';

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function ratioHistogram(ratios: number[]): Bin[] {
  const edges = [0, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4];
  return edges.map((lo, i) => {
    const hi = edges[i + 1];
    return {
      label: hi === undefined ? `>=${lo}` : `${lo}-${hi}`,
      count: ratios.filter((r) => r >= lo && (hi === undefined || r < hi)).length,
    };
  });
}

export function stagesHistogram(stages: number[]): Bin[] {
  const max = Math.max(1, ...stages);
  return Array.from({ length: max }, (_, i) => ({
    label: String(i + 1),
    count: stages.filter((s) => s === i + 1).length,
  }));
}

export function computeStats(
  outcomes: TraceOutcome[],
  extra: Pick<
    CurationStats,
    'extractor' | 'format' | 'inputLines' | 'inputRejects' | 'train' | 'test' | 'settings'
  >,
): CurationStats {
  const kept = outcomes.filter((o) => o.status === 'kept');
  const measured = outcomes.filter((o) => o.status !== 'failed');
  const reasons: Record<string, number> = {};
  for (const o of outcomes)
    if (o.status !== 'kept') reasons[o.reason ?? o.status] = (reasons[o.reason ?? o.status] ?? 0) + 1;
  if (extra.inputRejects) reasons['input-line-rejected'] = extra.inputRejects;
  return {
    ...extra,
    traces: outcomes.length,
    kept: kept.length,
    rejected: outcomes.filter((o) => o.status === 'rejected').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    keptFraction: round(outcomes.length ? kept.length / outcomes.length : 0),
    ratio: {
      meanAll: round(mean(measured.map((o) => o.ratio))),
      meanKept: round(mean(kept.map((o) => o.ratio))),
      histogram: ratioHistogram(measured.map((o) => o.ratio)),
    },
    stages: {
      meanKept: round(mean(kept.map((o) => o.stages))),
      histogram: stagesHistogram(measured.map((o) => o.stages)),
    },
    samplesByStages: stagesHistogram(kept.map((o) => o.stages)).filter((b) => b.count > 0),
    tooLong: outcomes.filter((o) => o.reason === TOO_LONG).length,
    components: {
      mean: round(mean(measured.map((o) => o.components))),
      meanExecuting: round(mean(measured.map((o) => o.executing))),
    },
    reasons,
    tokens: {
      prompt: outcomes.reduce((a, o) => a + o.promptTokens, 0),
      completion: outcomes.reduce((a, o) => a + o.completionTokens, 0),
    },
    costUsd: round(
      outcomes.reduce((a, o) => a + o.costUsd, 0),
      6,
    ),
    repairs: outcomes.reduce((a, o) => a + o.repairs, 0),
  };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A vertical bar chart as a standalone SVG document. */
export function barChartSvg(
  title: string,
  bins: Bin[],
  opts: { xLabel?: string; color?: string } = {},
): string {
  const width = 640;
  const height = 320;
  const left = 50;
  const bottom = 50;
  const top = 56;
  const plotW = width - left - 20;
  const plotH = height - top - bottom;
  // Headroom above the tallest bar for its count label.
  const max = Math.max(1, Math.ceil(Math.max(...bins.map((b) => b.count)) * 1.08));
  const slot = plotW / Math.max(1, bins.length);
  const barW = Math.max(2, slot * 0.7);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = Math.round((max * t) / 4);
    const y = top + plotH - (plotH * v) / max;
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${v}</text>`);
    parts.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#eee"/>`);
  }
  bins.forEach((b, i) => {
    const h = (plotH * b.count) / max;
    const x = left + i * slot + (slot - barW) / 2;
    const y = top + plotH - h;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${opts.color ?? '#4878d0'}"><title>${esc(b.label)}: ${b.count}</title></rect>`,
    );
    if (b.count)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${b.count}</text>`,
      );
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${esc(b.label)}</text>`,
    );
  });
  if (opts.xLabel)
    parts.push(
      `<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}

export interface ReportCharts {
  ratio: string;
  stages: string;
  outcomes: string;
}

export function reportCharts(stats: CurationStats): ReportCharts {
  return {
    ratio: barChartSvg('Parallelization ratio (all measured traces)', stats.ratio.histogram, {
      xLabel: 'ratio',
    }),
    stages: barChartSvg('Stages per trace', stats.stages.histogram, { xLabel: 'stages', color: '#6acc64' }),
    outcomes: barChartSvg(
      `Outcomes (kept ${(stats.keptFraction * 100).toFixed(1)}%)`,
      [
        { label: 'kept', count: stats.kept },
        ...Object.entries(stats.reasons).map(([label, count]) => ({ label, count })),
      ],
      { color: '#d65f5f' },
    ),
  };
}

/** The Markdown report; charts are referenced as files next to it. */
export function renderReport(
  stats: CurationStats,
  chartFiles: Record<keyof ReportCharts, string>,
  title = 'Curation report',
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const reasons = Object.entries(stats.reasons).sort((a, b) => b[1] - a[1]);
  return [
    `# ${title}`,
    '',
    `Format: **${stats.format}**. Extractor: **${stats.extractor}**. Filter: ratio >= ${stats.settings.minRatio}, stages <= ${stats.settings.maxStages}, short executions (b - a < ${stats.settings.shortExecutionThreshold}) merged into plans${stats.settings.maxSampleTokens ? `, samples over ${stats.settings.maxSampleTokens} tokens dropped (never truncated)` : ''}.`,
    '',
    '| | count |',
    '|---|---|',
    `| input lines | ${stats.inputLines} |`,
    `| input lines rejected | ${stats.inputRejects} |`,
    `| traces processed | ${stats.traces} |`,
    `| kept | ${stats.kept} (${pct(stats.keptFraction)}) |`,
    `| rejected by the filter | ${stats.rejected} |`,
    `| dropped as too long | ${stats.tooLong} |`,
    `| failed (extraction) | ${stats.failed} |`,
    `| train / test samples | ${stats.train} / ${stats.test} (seed ${stats.settings.splitSeed}) |`,
    `| mean ratio (all / kept) | ${stats.ratio.meanAll.toFixed(3)} / ${stats.ratio.meanKept.toFixed(3)} |`,
    `| mean stages (kept) | ${stats.stages.meanKept.toFixed(2)} |`,
    `| mean components (executing) | ${stats.components.mean.toFixed(2)} (${stats.components.meanExecuting.toFixed(2)}) |`,
    `| model tokens (prompt / completion) | ${stats.tokens.prompt} / ${stats.tokens.completion} |`,
    `| estimated cost | $${stats.costUsd.toFixed(4)} |`,
    `| structured-output repairs | ${stats.repairs} |`,
    '',
    '## Parallelization ratio',
    '',
    `![ratio histogram](${chartFiles.ratio})`,
    '',
    '## Stages',
    '',
    `![stages histogram](${chartFiles.stages})`,
    '',
    stats.samplesByStages.length
      ? '| stages | kept samples |\n|---|---|\n' +
        stats.samplesByStages.map((b) => `| ${b.label} | ${b.count} |`).join('\n')
      : 'No samples kept.',
    '',
    '## Kept and rejected',
    '',
    `![outcomes](${chartFiles.outcomes})`,
    '',
    reasons.length
      ? '| reason | traces |\n|---|---|\n' + reasons.map(([r, n]) => `| ${r} | ${n} |`).join('\n')
      : 'Nothing was rejected.',
    '',
  ].join('\n');
}
