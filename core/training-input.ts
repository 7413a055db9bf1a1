/*
 * Checks on the two names a training run's input gives that become host paths: the run id (a
 * folder under the runs folder, a container name) and the dataset folder (bind-mounted into the
 * trainer's container). Both arrive through workflow input, so any client of the namespace
 * chooses them: they are refused unless they stay where the worker expects.
 */

/** Letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 characters. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why `runId` cannot name a run, or undefined when it can. */
export function runIdProblem(runId: string): string | undefined {
  if (RUN_ID.test(runId)) return undefined;
  return `run id "${runId}" is not a slug (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters)`;
}

/**
 * True when the absolute POSIX path `p` is `root` or lies below it. Both must already be
 * normalized (no `.`/`..` segments, as path.resolve and realpath give them); a path with such a
 * segment is never inside.
 */
export function liesUnder(root: string, p: string): boolean {
  const segments = (s: string) => s.split('/').filter((x) => x.length > 0);
  const r = segments(root);
  const q = segments(p);
  if (!root.startsWith('/') || !p.startsWith('/')) return false;
  if ([...r, ...q].some((s) => s === '.' || s === '..')) return false;
  return q.length >= r.length && r.every((s, i) => q[i] === s);
}
