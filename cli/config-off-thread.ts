import { ConfigError } from '../config/errors';
import { loadConfigOffThread, type LoadedConfig } from '../config/load-off-thread';
import type { GlobalOptions } from './context';
import { CliError, ExitCode } from './exit-codes';

/** A bad config is a usage error (exit 2) naming its fields; any other error stays as it is. */
export function configErrorAsUsage(err: unknown): unknown {
  return err instanceof ConfigError ? new CliError(err.message, ExitCode.usage) : err;
}

/**
 * readConfig (cli/context.ts) with the loading on a worker thread: start it, load other code, then
 * await it. Same config and same errors (a bad config is a usage error naming its fields); this
 * module loads neither zod nor the schema, so the caller's main thread does not either.
 */
export async function readConfigOffThread(opts: GlobalOptions): Promise<LoadedConfig> {
  try {
    return await loadConfigOffThread({ file: opts.config });
  } catch (err) {
    throw configErrorAsUsage(err);
  }
}
