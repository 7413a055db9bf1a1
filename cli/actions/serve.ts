import type { Command } from 'commander';
import { Runtime } from '@temporalio/worker';
import { ApiKeyError, API_KEYS_ENV, loadApiKeys } from '../../serve/auth';
import { buildServeApp } from '../../serve/app';
import { defaultServeOptions } from '../../serve/context';
import { connectWorker } from '../../workers/connection';
import { createWorkers, firstStopSignal, runWorkers, workerLogger } from '../../workers/create';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { describePortOwner } from '../../infra/temporal/dev-server';
import { logStartReport } from '../../workers/pollers';

export interface ServeCliOptions {
  host: string;
  port: string;
  apiKeysFile?: string;
  insecureNoAuth?: boolean;
  maxConcurrent: string;
  retryAfter: string;
  onDisconnect: string;
  bodyLimit: string;
  workers?: boolean;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${flag} must be a positive integer, got "${value}"`, ExitCode.usage);
  return n;
}

/** `sprint serve`: the OpenAI-compatible endpoint, until a stop signal. */
export async function runServe(opts: ServeCliOptions, cmd: Command): Promise<void> {
  if (opts.onDisconnect !== 'cancel' && opts.onDisconnect !== 'continue') {
    throw new CliError(
      `--on-disconnect must be cancel or continue, got "${opts.onDisconnect}"`,
      ExitCode.usage,
    );
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be 0-65535, got "${opts.port}"`, ExitCode.usage);
  }
  let apiKeys: string[];
  try {
    apiKeys = loadApiKeys({ env: process.env, ...(opts.apiKeysFile ? { file: opts.apiKeysFile } : {}) });
  } catch (err) {
    if (err instanceof ApiKeyError) throw new CliError(err.message, ExitCode.usage);
    throw err;
  }
  if (!apiKeys.length && !opts.insecureNoAuth) {
    throw new CliError(
      `no API keys: set ${API_KEYS_ENV}, pass --api-keys-file, or --insecure-no-auth for local use`,
      ExitCode.usage,
    );
  }
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const client = await clientFor(config);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

  let workersDone: Promise<void> | undefined;
  let releaseWorkers: (() => void) | undefined;
  if (opts.workers) {
    Runtime.install({ shutdownSignals: [], logger: workerLogger() });
    const connection = await connectWorker(config);
    const workers = await createWorkers('all', { config, connection });
    workersDone = runWorkers(workers, new Promise<void>((r) => (releaseWorkers = r))).then(() =>
      connection.close(),
    );
  }
  const app = buildServeApp({
    client,
    config,
    apiKeys,
    allowNoAuth: opts.insecureNoAuth === true,
    options: {
      ...defaultServeOptions,
      onDisconnect: opts.onDisconnect,
      maxConcurrent: positiveInt('--max-concurrent', opts.maxConcurrent),
      retryAfterSeconds: positiveInt('--retry-after', opts.retryAfter),
      bodyLimitBytes: positiveInt('--body-limit', opts.bodyLimit),
      log,
      uiLink: (id) => uiLink(config, id),
    },
  });
  const stop = firstStopSignal(log);
  try {
    const address = await app.listen({ host: opts.host, port }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      throw new CliError(
        `port ${port} on ${opts.host} is in use (${describePortOwner(port)}); choose another with --port`,
        ExitCode.unavailable,
      );
    });
    await logStartReport(config, 'serve', [], log, client.workflowService);
    log(
      `sprint serve on ${address}/v1 (${apiKeys.length ? `${apiKeys.length} API key(s)` : 'NO authentication'}, ` +
        `at most ${opts.maxConcurrent} sessions, disconnect: ${opts.onDisconnect})`,
    );
    await stop;
  } finally {
    await app.close();
    releaseWorkers?.();
    await workersDone;
    await client.connection.close();
  }
}
