/*
 * Bench results rendered into other docs pages than docs/benchmarks.md, between marker comments
 * (`<!-- <name>:begin -->` ... `<!-- <name>:end -->`), so a page's own prose can sit around a table a
 * bench produced. Pure: scripts/render-benchmarks.ts reads and writes the files.
 */
import type { BenchResult } from '../../bench/result-shape';
import { renderFigures, renderRunContext } from './render';

/** A section of a docs page filled from one bench's result. */
export interface DocSection {
  /** The page, relative to the repository root. */
  page: string;
  /** The markers' name. */
  marker: string;
  /** The bench (and variant) whose latest result fills it. */
  bench: string;
  variant?: string;
  /** What the section says while no result is committed. */
  missing: string;
}

export const DOC_SECTIONS: DocSection[] = [
  {
    page: 'docs/cluster.md',
    marker: 'faults',
    bench: 'cluster-faults',
    missing: 'Not measured yet: run `npm run test:cluster:faults`, then `npm run docs:benchmarks`.',
  },
  {
    page: 'docs/operations.md',
    marker: 'cluster-faults',
    bench: 'cluster-faults',
    missing: 'Not measured yet: run `npm run test:cluster:faults`, then `npm run docs:benchmarks`.',
  },
];

/** The section's body: the run's context and its tables, or the `missing` line. */
export function renderSection(section: DocSection, results: readonly BenchResult[]): string {
  const r = results.find((x) => x.bench === section.bench && x.variant === section.variant);
  if (!r) return section.missing;
  return [...renderRunContext(r), ...renderFigures(r.figures)].join('\n');
}

/** A page's `text` with the text between the section's markers replaced by `body`. */
export function fillSection(text: string, body: string, section: DocSection): string {
  const begin = `<!-- ${section.marker}:begin -->`;
  const end = `<!-- ${section.marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${section.page}: lacks the markers ${begin} ... ${end}`);
  return `${text.slice(0, from + begin.length)}\n\n${body}\n\n${text.slice(to)}`;
}
