/*
 * Renders docs/benchmarks.md from bench/results/*.json (npm run docs:benchmarks). Run it after a
 * bench wrote new results; test/unit/benchmarks-doc.test.ts fails while the document is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOC_SECTIONS, fillSection, renderSection } from './benchmarks-doc/doc-sections';
import { BENCH_INTROS, PREAMBLE } from './benchmarks-doc/intros';
import { readResultFiles } from './benchmarks-doc/read-results';
import { renderBenchmarksDoc } from './benchmarks-doc/render';

export const ROOT = path.resolve(__dirname, '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
export const DOC_FILE = path.join(ROOT, 'docs', 'benchmarks.md');

/** The document the committed results render to. */
export function renderCommittedResults(): string {
  return renderBenchmarksDoc(PREAMBLE, BENCH_INTROS, readResultFiles(RESULTS_DIR, ROOT));
}

/** Each docs page with a section of bench results (doc-sections.ts), as the committed results fill it. */
export function renderDocSections(): { file: string; text: string }[] {
  const results = readResultFiles(RESULTS_DIR, ROOT).map((f) => f.result);
  const pages = new Map<string, string>();
  for (const section of DOC_SECTIONS) {
    const file = path.join(ROOT, section.page);
    const text = pages.get(file) ?? fs.readFileSync(file, 'utf8');
    pages.set(file, fillSection(text, renderSection(section, results), section));
  }
  return [...pages].map(([file, text]) => ({ file, text }));
}

if (require.main === module) {
  try {
    fs.mkdirSync(path.dirname(DOC_FILE), { recursive: true });
    fs.writeFileSync(DOC_FILE, renderCommittedResults());
    console.log(`wrote ${path.relative(process.cwd(), DOC_FILE)}`);
    for (const { file, text } of renderDocSections()) {
      fs.writeFileSync(file, text);
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
