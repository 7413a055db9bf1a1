import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from './errors';
import { loadConfig, type LoadConfigOptions } from './load';
import type { LoadedConfigMessage } from './load-off-thread';

/*
 * Entry of the thread config/load-off-thread.ts starts: loads the config with loadConfig and posts
 * it (plain data: the schema has no transforms) or the error back. A ConfigError travels as its
 * source and problems, so the main thread rebuilds the same error with the same message.
 */
function load(options: LoadConfigOptions): LoadedConfigMessage {
  try {
    return { config: loadConfig(options) };
  } catch (err) {
    if (err instanceof ConfigError) return { configError: { source: err.source, problems: err.problems } };
    const e = err instanceof Error ? err : new Error(String(err));
    return { error: { message: e.message, stack: e.stack ?? e.message } };
  }
}

parentPort?.postMessage(load((workerData as { options: LoadConfigOptions }).options));
