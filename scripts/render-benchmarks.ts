/*
 * Renders docs/benchmarks.md from bench/results/*.json (npm run docs:benchmarks). Run it after a
 * bench wrote new results; test/unit/benchmarks-doc.test.ts fails while the document is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
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

if (require.main === module) {
  try {
    fs.mkdirSync(path.dirname(DOC_FILE), { recursive: true });
    fs.writeFileSync(DOC_FILE, renderCommittedResults());
    console.log(`wrote ${path.relative(process.cwd(), DOC_FILE)}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
