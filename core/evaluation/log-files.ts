/*
 * Which problem a transcript file belongs to, from its name alone (`sprint eval score`). Released
 * SPRINT logs are named `planner_trajectory_<id>.txt` (SPRINT) and `base_model_trajectory_<id>.txt`
 * (sequential baselines) with `/` of the id written as `_` (docs/sprint-format.md#released-logs); other
 * tools put the id anywhere in the name. Pure: the caller lists the folder.
 */
import type { SessionMethodName } from '../method-result';

/** Extensions read as transcripts; any other file is reported, never silently skipped. */
export const TRANSCRIPT_EXTENSIONS = ['.txt', '.md', '.out', '.log'] as const;

/** The methods the released logs record. */
export type ReleasedLogMethod = SessionMethodName;

/** Name prefixes of the released logs and the method each one records. */
export const RELEASED_LOG_PREFIXES: readonly { prefix: string; method: ReleasedLogMethod }[] = [
  { prefix: 'planner_trajectory_', method: 'sprint' },
  { prefix: 'base_model_trajectory_', method: 'sequential' },
];

/** Names a transcript file may carry for a problem id (`test/algebra/1.json` -> `test_algebra_1`, ...). */
export function fileKeys(id: string): string[] {
  const noExt = id.replace(/\.json$/, '');
  return [
    ...new Set([id, noExt, id.replace(/\//g, '_'), noExt.replace(/\//g, '_'), noExt.replace(/\//g, '__')]),
  ];
}

export interface MatchedFile {
  file: string;
  problemId: string;
  /** Method named by a released-log prefix; absent when the name says nothing (read the content). */
  method?: ReleasedLogMethod;
}

export interface UnmatchedFile {
  file: string;
  reason: string;
}

export interface FileMatch {
  matched: MatchedFile[];
  unmatched: UnmatchedFile[];
}

const ALNUM = /[A-Za-z0-9]/;

interface Occurrence {
  key: string;
  start: number;
  end: number;
}

/** Where `key` occurs in `stem` as a whole token (not inside a longer run of letters/digits). */
function tokenOccurrences(stem: string, key: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (let at = stem.indexOf(key); at >= 0; at = stem.indexOf(key, at + 1)) {
    const before = at === 0 ? '' : stem[at - 1]!;
    const after = stem[at + key.length] ?? '';
    if (!ALNUM.test(before) && !ALNUM.test(after)) out.push({ key, start: at, end: at + key.length });
  }
  return out;
}

/**
 * Assigns file names to problem ids: first the exact name (`<key>`, or a released-log prefix +
 * `<key>`), else the keys found as whole tokens anywhere in the name (`run3-test_algebra_1-s0`), a key
 * inside a longer found one not counting. A name that holds keys of several problems is ambiguous
 * and left unmatched, with the candidates in the reason; so is any file without a transcript extension.
 */
export function matchLogFiles(fileNames: readonly string[], problemIds: readonly string[]): FileMatch {
  const byKey = new Map<string, Set<string>>();
  for (const id of problemIds) {
    for (const key of fileKeys(id)) {
      const ids = byKey.get(key) ?? new Set<string>();
      ids.add(id);
      byKey.set(key, ids);
    }
  }
  const matched: MatchedFile[] = [];
  const unmatched: UnmatchedFile[] = [];
  for (const file of [...fileNames].sort()) {
    const ext = TRANSCRIPT_EXTENSIONS.find((e) => file.toLowerCase().endsWith(e));
    if (!ext) {
      unmatched.push({ file, reason: `not a transcript (${TRANSCRIPT_EXTENSIONS.join(', ')})` });
      continue;
    }
    let stem = file.slice(0, -ext.length);
    const released = RELEASED_LOG_PREFIXES.find((p) => stem.startsWith(p.prefix));
    const method = released?.method;
    const pick = (ids: Set<string>, how: string): void => {
      if (ids.size === 1) {
        const problemId = [...ids][0]!;
        matched.push({ file, problemId, ...(method ? { method } : {}) });
      } else {
        unmatched.push({ file, reason: `${how} fits several problems: ${[...ids].sort().join(', ')}` });
      }
    };
    const exact = byKey.get(stem) ?? (released ? byKey.get(stem.slice(released.prefix.length)) : undefined);
    if (exact) {
      pick(exact, 'the name');
      continue;
    }
    if (released) stem = stem.slice(released.prefix.length);
    // every id spelling found as a token, less those inside a longer one (`a_b` within `a_b_c`)
    const found = [...byKey.keys()].flatMap((k) => tokenOccurrences(stem, k));
    const kept = found.filter(
      (o) => !found.some((p) => p.end - p.start > o.end - o.start && p.start <= o.start && o.end <= p.end),
    );
    if (!kept.length) {
      unmatched.push({ file, reason: 'no problem id in the name' });
      continue;
    }
    const ids = new Set(kept.flatMap((o) => [...byKey.get(o.key)!]));
    pick(ids, `the name (${[...new Set(kept.map((o) => `"${o.key}"`))].join(', ')})`);
  }
  return { matched, unmatched };
}
