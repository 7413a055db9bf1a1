/*
 * Reads the benches' result files (bench/results/*.json), each checked against the shape the
 * writers promise; a bad file fails naming the file and the field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchResultSchema, type BenchResult } from '../../bench/result-shape';

export interface ResultFile {
  /** The file's path relative to the repository root (for messages). */
  file: string;
  result: BenchResult;
}

export function parseResultFile(file: string, text: string): BenchResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = benchResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Every *.json in `dir`, in name order (the rendered document must not depend on the file system's). */
export function readResultFiles(dir: string, root: string): ResultFile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const full = path.join(dir, name);
      const file = path.relative(root, full);
      return { file, result: parseResultFile(file, fs.readFileSync(full, 'utf8')) };
    });
}
