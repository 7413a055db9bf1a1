import { Worker } from 'node:worker_threads';
import { ConfigError } from './errors';
import type { LoadConfigOptions } from './load';
import type { SprintConfig } from './schema';

/*
 * loadConfig on a worker thread. Loading zod, the schema (and the YAML parser for a YAML file) and
 * validating take about 0.15 s of a cold start; `sprint worker` spends them on a second core while
 * its main thread loads the Temporal SDK (about 0.5 s), which moved the worker's first poll closer
 * to the 1.5 s target (docs/benchmarks.md, bench:cli). The result is exactly loadConfig's: the same config, the
 * same ConfigError (message, source, problems), other errors with their message and stack.
 * This module itself loads neither zod nor the schema (types only); that is the point of it.
 */

export type LoadedConfig = SprintConfig & { source: string };

/** What the thread (config/load-thread.ts) posts back: one of the three. */
export interface LoadedConfigMessage {
  config?: LoadedConfig;
  configError?: { source: string; problems: string[] };
  error?: { message: string; stack: string };
}

/** Plain JavaScript run as the thread: the compiled entry, or the .ts source through tsx (no build). */
const bootstrap = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.entry);
`;

function threadEntry(): { entry: string; tsx?: string } {
  const entry = require.resolve('./load-thread');
  // Run from the sources (tsx, jest): the thread is plain Node and needs tsx to read TypeScript.
  return entry.endsWith('.ts') ? { entry, tsx: require.resolve('tsx/cjs/api') } : { entry };
}

function fromMessage(m: LoadedConfigMessage): LoadedConfig {
  if (m.config) return m.config;
  if (m.configError) throw new ConfigError(m.configError.source, m.configError.problems);
  const err = new Error(m.error?.message ?? 'the config loader thread sent nothing');
  if (m.error) err.stack = m.error.stack;
  throw err;
}

/** Options default as loadConfig's do, but here: the thread gets this process's cwd and environment. */
export function loadConfigOffThread(
  options: Omit<LoadConfigOptions, 'overrides'> = {},
): Promise<LoadedConfig> {
  // a plain copy of the environment: structured clone refuses some process.env stand-ins (jest's)
  const full = { ...options, env: { ...(options.env ?? process.env) }, cwd: options.cwd ?? process.cwd() };
  return new Promise<LoadedConfig>((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { ...threadEntry(), options: full } });
    let answered = false;
    worker.once('message', (m: LoadedConfigMessage) => {
      answered = true;
      try {
        resolve(fromMessage(m));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the config loader thread exited (code ${code}) without an answer`));
    });
  });
}
