/*
 * Without a Hub token, files are mirrored into a local folder laid out like the repo. Only files whose
 * content differs are written (atomically: a temporary file renamed into place), so a re-run leaves
 * the folder and its modification times as they were.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { LocalFile } from './changes';

export interface MirrorResult {
  /** Paths written (new or changed), sorted. */
  written: string[];
  /** Paths that already held the same content, sorted. */
  unchanged: string[];
}

export async function mirrorFiles(
  root: string,
  files: LocalFile[],
  onWrite?: (path: string, done: number) => void,
): Promise<MirrorResult> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const f of files) {
    const target = path.join(root, ...f.path.split('/'));
    const old = await fsp.readFile(target).catch(() => undefined);
    if (old?.equals(f.content)) {
      unchanged.push(f.path);
      continue;
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await fsp.writeFile(tmp, f.content);
    await fsp.rename(tmp, target);
    written.push(f.path);
    onWrite?.(f.path, written.length);
  }
  return { written: written.sort(), unchanged: unchanged.sort() };
}
