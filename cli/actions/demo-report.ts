import * as fs from 'node:fs';
import * as path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { comparisonChartSvg, comparisonMarkdown, type ComparisonRow } from '../../core/evaluation/comparison';

export interface DemoReport {
  rows: ComparisonRow[];
  /** What the rows are measured on, and the targets read from them. */
  notes: string[];
  links: { label: string; url: string }[];
  settings: Record<string, unknown>;
}

/** The files the report is written to, in the run folder. */
export function demoReportFiles(runDir: string): { md: string; json: string; svg: string; png: string } {
  const base = path.join(runDir, 'comparison');
  return { md: `${base}.md`, json: `${base}.json`, svg: `${base}.svg`, png: `${base}.png` };
}

/**
 * Writes the comparison as markdown (table, notes, links), JSON (rows, settings, links, load
 * average), and the chart of accuracy against sequential tokens as SVG and PNG beside them.
 */
export function writeDemoReport(
  runDir: string,
  report: DemoReport,
  title: string,
): ReturnType<typeof demoReportFiles> {
  const files = demoReportFiles(runDir);
  fs.mkdirSync(runDir, { recursive: true });
  const svg = comparisonChartSvg(report.rows, title);
  fs.writeFileSync(files.svg, svg);
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  fs.writeFileSync(files.png, png);
  const md = [
    `# ${title}`,
    '',
    comparisonMarkdown(report.rows),
    ...report.notes.map((n) => `- ${n}`),
    '',
    `![accuracy against mean sequential tokens](${path.basename(files.svg)})`,
    '',
    ...report.links.map((l) => `- ${l.label}: <${l.url}>`),
    '',
  ].join('\n');
  fs.writeFileSync(files.md, md);
  fs.writeFileSync(files.json, JSON.stringify({ title, ...report }, null, 2) + '\n');
  return files;
}
