/*
 * docs/benchmarks.md from the benches' result files: pure functions of the parsed results and the
 * hand-written intros (no I/O here; scripts/render-benchmarks.ts reads and writes).
 *
 * How a number is shown follows from its name (bench/result-shape.ts lists the conventions):
 *   - a ratio (the name holds the word "ratio", or a slash between two names other than a per-unit
 *     ending such as "tokens/s" or "ms/round"): 3 decimals;
 *   - "... %": one decimal and a percent sign; "... ms": whole milliseconds (one decimal under 100);
 *     "... s": 2 decimals (3 under one second); "... GiB": 2 decimals;
 *   - anything else: integers as they are, other numbers with 3 significant digits (whole from 100).
 * A figure that a run did not measure (null, or absent from a row) shows as "–".
 */
import type { BenchResult, Figure, FigureRow } from '../../bench/result-shape';

export const MISSING = '–';

export interface BenchIntro {
  /** The `bench` field of its result files. */
  bench: string;
  title: string;
  /** Markdown: what it measures, how to run it, how to read it. */
  body: string;
}

const PER_UNIT = /\/(s|round)$/;

export function isRatioName(name: string): boolean {
  return /\bratio\b/.test(name) || (/[\w)-]\/[\w(-]/.test(name) && !PER_UNIT.test(name));
}

function formatNumber(name: string, x: number): string {
  if (!Number.isFinite(x)) return MISSING;
  if (isRatioName(name)) return x.toFixed(3);
  if (/ %$/.test(name)) return `${x.toFixed(1)}%`;
  if (/ ms$/.test(name)) return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1);
  if (/ s$/.test(name)) return Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3);
  if (/ GiB$/.test(name)) return x.toFixed(2);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : String(Number(x.toPrecision(3)));
}

/** One figure as a table cell: by the conventions above, with pipes escaped for Markdown. */
export function formatFigure(name: string, value: Figure | undefined): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatNumber(name, value);
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function tableLines(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

/** A table of rows: the columns of every row, in the order they first appear. */
export function renderRows(rows: readonly FigureRow[]): string[] {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return tableLines(
    columns,
    rows.map((r) => columns.map((c) => formatFigure(c, r[c]))),
  );
}

/** A single figure's name in its table: the unit in brackets, a percent left to its value. */
function figureLabel(name: string): string {
  return name.replace(/ %$/, '').replace(/ (ms|s|GiB)$/, (u) => ` (${u.trim()})`);
}

/** Settings as one line: `name` value; ... */
function renderSettings(settings: BenchResult['settings']): string {
  const entries = Object.entries(settings);
  if (!entries.length) return 'Settings: the defaults.';
  // Knobs as they were given (a per-token delay of 5 ms is "5", not a measured "5.0").
  const raw = (k: string, v: Figure) => (typeof v === 'number' ? String(v) : formatFigure(k, v));
  return `Settings: ${entries.map(([k, v]) => `${k} ${raw(k, v)}`).join('; ')}.`;
}

/** Where and when a run happened and how busy the machine was: every table is read against it. */
export function renderRunContext(result: BenchResult): string[] {
  const { machine: m, load } = result;
  const when = result.date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const commit = result.commit
    ? `commit ${result.commit.slice(0, 12)}${result.commit.endsWith('+dirty') ? ' (with local changes)' : ''}`
    : 'no git commit';
  const busy = load.cpuBusyShare === null ? '' : `; all cores ${(load.cpuBusyShare * 100).toFixed(0)}% busy`;
  const fixed = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
  return [
    `Run ${when}, ${commit}, ${formatFigure('took s', result.durationS)} s, on ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, ${m.os}, ${m.runtime}.`,
    '',
    `Load during the run (1-minute load average, ${m.cpus} cores): mean ${load.loadAvg1mMean.toFixed(2)}, max ${load.loadAvg1mMax.toFixed(2)} over ${load.samples} samples${busy} (1/5/15-minute averages before: ${fixed(load.loadAvgBefore)}, after: ${fixed(load.loadAvgAfter)}).`,
    '',
    renderSettings(result.settings),
  ];
}

/** One run's figures: the single figures in one table, then each table of rows under its name. */
export function renderFigures(figures: BenchResult['figures']): string[] {
  const single = Object.entries(figures).filter((e): e is [string, Figure] => !Array.isArray(e[1]));
  const tables = Object.entries(figures).filter((e): e is [string, FigureRow[]] => Array.isArray(e[1]));
  const out: string[] = [];
  if (single.length)
    out.push(
      '',
      ...tableLines(
        ['figure', 'value'],
        single.map(([k, v]) => [figureLabel(k), formatFigure(k, v)]),
      ),
    );
  for (const [name, rows] of tables)
    out.push('', `${name}:`, '', ...(rows.length ? renderRows(rows) : ['(no rows)']));
  return out;
}

/** The default run first, then the variants by name. */
function byVariant(a: BenchResult, b: BenchResult): number {
  if (!a.variant || !b.variant) return a.variant ? 1 : b.variant ? -1 : 0;
  return a.variant.localeCompare(b.variant);
}

export function renderBench(intro: BenchIntro, results: readonly BenchResult[]): string[] {
  const out = [`## ${intro.title}`, '', intro.body.trim()];
  if (!results.length) out.push('', '_No result committed yet._');
  const several = results.length > 1;
  for (const r of [...results].sort(byVariant)) {
    out.push('', several ? `### ${r.variant ? `Variant: ${r.variant}` : 'Default run'}` : '### Latest run');
    out.push('', ...renderRunContext(r), ...renderFigures(r.figures));
  }
  return out;
}

/**
 * The whole document: the preamble, then every bench in the intros' order with its runs. A result
 * whose bench has no intro is an error, so that no measurement is published without its reading.
 */
export function renderBenchmarksDoc(
  preamble: string,
  intros: readonly BenchIntro[],
  results: readonly { file: string; result: BenchResult }[],
): string {
  const known = new Set(intros.map((i) => i.bench));
  for (const { file, result } of results)
    if (!known.has(result.bench))
      throw new Error(`${file}: bench "${result.bench}" has no intro in scripts/benchmarks-doc/intros.ts`);
  const lines = [preamble.trim()];
  for (const intro of intros)
    lines.push(
      '',
      ...renderBench(
        intro,
        results.filter((r) => r.result.bench === intro.bench).map((r) => r.result),
      ),
    );
  return `${lines.join('\n')}\n`;
}
