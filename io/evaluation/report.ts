import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { renderReport, type ReportInput } from '../../core/evaluation/markdown';
import { barsSvg, scatterSvg } from '../../core/evaluation/svg';
import {
  comparePaired,
  dedupeRecords,
  lengthBuckets,
  summarize,
  type PairedComparison,
  type RunSummary,
} from '../../core/evaluation/summary';
import type { ProblemRecord } from '../../core/evaluation/types';

export const RESULTS_FILE = 'results.jsonl';

/** Records of a run folder (results.jsonl), last line per problem kept; bad lines are reported. */
export async function readRecords(dir: string): Promise<ProblemRecord[]> {
  const file = path.join(dir, RESULTS_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new Error(`${dir} is not an evaluation run folder (no ${RESULTS_FILE})`);
  }
  const records: ProblemRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line) as ProblemRecord);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
  });
  return dedupeRecords(records);
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text);
  await fsp.rename(tmp, file);
}

function runLabel(s: RunSummary): string {
  return `${s.method} (${s.evalId})`;
}

/** Writes results.jsonl (deduplicated), summary.json, report.md and plots/ for one run folder. */
export async function writeRunReport(
  dir: string,
  records: ProblemRecord[],
  order?: string[],
): Promise<RunSummary> {
  let rs = dedupeRecords(records);
  if (order) {
    const pos = new Map(order.map((id, i) => [id, i]));
    rs = [...rs].sort((a, b) => (pos.get(a.problemId) ?? 1e9) - (pos.get(b.problemId) ?? 1e9));
  }
  await writeAtomic(
    path.join(dir, RESULTS_FILE),
    rs.map((r) => JSON.stringify(r)).join('\n') + (rs.length ? '\n' : ''),
  );
  const summary = summarize(rs);
  const plots = [
    {
      file: 'plots/rounds.svg',
      caption: 'rounds per problem',
      svg: barsSvg({
        title: `${summary.method} on ${summary.benchmark}: rounds per problem`,
        yLabel: 'problems',
        xLabel: 'rounds',
        categories: summary.rounds.map((d) => String(d.value)),
        series: [{ name: summary.method, values: summary.rounds.map((d) => d.count) }],
      }),
    },
    {
      file: 'plots/accuracy-vs-sequential.svg',
      caption: 'accuracy vs mean sequential tokens',
      svg: scatterSvg({
        title: `${summary.benchmark}: accuracy vs sequential tokens`,
        xLabel: 'mean sequential tokens',
        yLabel: 'accuracy',
        yPercent: true,
        points: [
          {
            label: runLabel(summary),
            x: summary.tokens.meanSequential,
            y: summary.accuracy,
            yLow: summary.ci95.low,
            yHigh: summary.ci95.high,
          },
        ],
      }),
    },
  ];
  for (const p of plots) await writeAtomic(path.join(dir, p.file), p.svg);
  await writeAtomic(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  await writeAtomic(
    path.join(dir, 'report.md'),
    renderReport({
      title: `Evaluation ${summary.evalId}: ${summary.method} on ${summary.benchmark}`,
      runs: [summary],
      plots,
    }),
  );
  return summary;
}

export interface CrossReport {
  runs: RunSummary[];
  buckets: { method: string; baseline: string; rows: ReturnType<typeof lengthBuckets> }[];
  comparisons: PairedComparison[];
}

/**
 * Report across run folders: every run's summary; for each benchmark with a `sequential` run, the
 * length-bucket view and a paired comparison of every other method against it; the plots.
 */
export async function writeCrossReport(
  outDir: string,
  runDirs: string[],
  edges: number[],
): Promise<CrossReport> {
  const runs = await Promise.all(runDirs.map(async (d) => ({ dir: d, records: await readRecords(d) })));
  const summaries = runs.map((r) => summarize(r.records));
  const buckets: CrossReport['buckets'] = [];
  const comparisons: PairedComparison[] = [];
  for (const base of runs.filter((r) => r.records[0]?.method === 'sequential')) {
    const b0 = base.records[0]!;
    for (const other of runs) {
      const o0 = other.records[0];
      if (other === base || !o0 || o0.benchmark !== b0.benchmark) continue;
      const bl = `sequential (${b0.evalId})`;
      const ol = `${o0.method} (${o0.evalId})`;
      buckets.push({ method: ol, baseline: bl, rows: lengthBuckets(base.records, other.records, edges) });
      comparisons.push(comparePaired(base.records, other.records, [bl, ol]));
    }
  }
  const plots = [
    {
      file: 'plots/accuracy-vs-sequential.svg',
      caption: 'accuracy vs mean sequential tokens, per method',
      svg: scatterSvg({
        title: 'Accuracy vs sequential tokens',
        xLabel: 'mean sequential tokens per problem',
        yLabel: 'accuracy (95% CI)',
        yPercent: true,
        points: summaries.map((s) => ({
          label: runLabel(s),
          x: s.tokens.meanSequential,
          y: s.accuracy,
          yLow: s.ci95.low,
          yHigh: s.ci95.high,
        })),
      }),
    },
  ];
  if (buckets.length) {
    const bins = [...new Set(buckets.flatMap((b) => b.rows.map((r) => r.bin)))];
    bins.sort((x, y) => binSortKey(x) - binSortKey(y));
    plots.push({
      file: 'plots/length-buckets.svg',
      caption: 'reduction of sequential tokens against the sequential baseline, by its length bin',
      svg: barsSvg({
        title: 'Sequential-token reduction vs the sequential baseline, by its length',
        yLabel: 'reduction (1 - method / baseline)',
        xLabel: 'baseline sequential tokens',
        percent: true,
        categories: bins,
        series: buckets.map((b) => ({
          name: b.method,
          values: bins.map((bin) => b.rows.find((r) => r.bin === bin)?.reduction ?? null),
        })),
      }),
    });
  }
  for (const p of plots) await writeAtomic(path.join(outDir, p.file), p.svg);
  const report: ReportInput = {
    title: 'Evaluation across runs',
    runs: summaries,
    buckets,
    comparisons,
    plots,
    notes: [`Runs: ${runDirs.map((d) => `\`${d}\``).join(', ')}`],
  };
  await writeAtomic(path.join(outDir, 'report.md'), renderReport(report));
  const out: CrossReport = { runs: summaries, buckets, comparisons };
  await writeAtomic(path.join(outDir, 'summary.json'), JSON.stringify(out, null, 2) + '\n');
  return out;
}

/** Sort key of a bin label made by `binLabel` (`<2k`, `2k-4k`, `>=15k`). */
function binSortKey(label: string): number {
  const n = (s: string) => (s.endsWith('k') ? Number(s.slice(0, -1)) * 1000 : Number(s));
  if (label.startsWith('<')) return -1;
  if (label.startsWith('>=')) return n(label.slice(2)) + 0.5;
  return n(label.split('-')[0]!);
}
