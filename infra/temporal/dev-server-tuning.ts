/*
 * Dev server options that cut the time between dependent model calls of a session (issue 16; the
 * profile and measurements are in docs/benchmarks.md).
 *
 * - One partition per task queue. A dev server serves a handful of workers; with the default four
 *   partitions a task written to a partition nobody is polling at that moment waits for forwarding
 *   to the root partition, which adds milliseconds to every activity and workflow task dispatch.
 * - SQLite in WAL mode with synchronous=NORMAL: each history write appends to the log instead of
 *   rewriting pages and syncing twice. A crash of the server process loses nothing; a power loss
 *   can lose the last transactions (never corrupt the file), acceptable for a development server.
 *   A production cluster has its own persistence; none of this applies there.
 */

/** Dynamic config values, as `--dynamic-config-value KEY=JSON`. */
export const devServerDynamicConfig: Readonly<Record<string, unknown>> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** SQLite pragmas, as `--sqlite-pragma NAME=VALUE` (the CLI accepts only a known list of names). */
export const devServerSqlitePragmas: Readonly<Record<string, string>> = {
  journal_mode: 'wal',
  synchronous: 'normal',
};

/** The `temporal server start-dev` arguments for the given tuning. */
export function devServerTuningArgs(tuning: {
  dynamicConfig: Readonly<Record<string, unknown>>;
  sqlitePragmas: Readonly<Record<string, string>>;
}): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(tuning.dynamicConfig))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const [name, value] of Object.entries(tuning.sqlitePragmas))
    args.push('--sqlite-pragma', `${name}=${value}`);
  return args;
}
