/*
 * The loader's error, in a module of its own: code that only needs to recognise or rebuild it (the
 * off-thread loader, config/load-off-thread.ts) does not load the schema and zod with it.
 */

/** A config that cannot be used; `problems` name each bad field by its path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid sprint config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
