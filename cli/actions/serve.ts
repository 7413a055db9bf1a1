import type { Command } from 'commander';
import { Runtime } from '@temporalio/worker';
import { ApiKeyError, loadApiKeys } from '../../serve/auth';
import { buildServeApp } from '../../serve/app';
import { serveOptionsOf } from '../../serve/context';
import { connectWorker } from '../../workers/connection';
import { createWorkers, firstStopSignal, runWorkers, workerLogger } from '../../workers/create';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { describePortOwner } from '../../infra/temporal/dev-server';
import { serveFlagOverrides, type ServeFlags } from '../commands/serve';
import { logStartReport } from '../../workers/pollers';
import { runtimeTelemetryOptions, startProcessTelemetry } from '../../workers/telemetry/process';
import { withMetricsPort } from '../metrics-port-flag';

/** `sprint serve`: the OpenAI-compatible endpoint, until a stop signal. */
export async function runServe(flags: ServeFlags, cmd: Command): Promise<void> {
  const config = withMetricsPort(
    readConfig(cmd.optsWithGlobals<GlobalOptions>(), { serve: serveFlagOverrides(flags) }),
    'serve',
    flags.metricsPort,
  );
  const settings = config.serve;
  let apiKeys: string[];
  try {
    apiKeys = loadApiKeys({
      env: process.env,
      envName: settings.apiKeysEnv,
      ...(settings.apiKeysFile ? { file: settings.apiKeysFile } : {}),
    });
  } catch (err) {
    if (err instanceof ApiKeyError) throw new CliError(err.message, ExitCode.usage);
    throw err;
  }
  if (!apiKeys.length && !settings.insecureNoAuth) {
    throw new CliError(
      `no API keys: set ${settings.apiKeysEnv}, pass --api-keys-file (config serve.apiKeysFile), or --insecure-no-auth for local use`,
      ExitCode.usage,
    );
  }
  // Telemetry first: the client traces the workflows it starts when tracing is on.
  const telemetry = await startProcessTelemetry(config, 'serve', (line) =>
    console.error(`sprint serve: ${line}`),
  );
  const client = await clientFor(config);
  telemetry.exportQueues(client.workflowService);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

  let workersDone: Promise<void> | undefined;
  let releaseWorkers: (() => void) | undefined;
  if (settings.workers) {
    Runtime.install({ shutdownSignals: [], logger: workerLogger(), ...runtimeTelemetryOptions() });
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
    allowNoAuth: settings.insecureNoAuth,
    options: {
      ...serveOptionsOf(settings),
      log,
      uiLink: (id) => uiLink(config, id),
    },
  });
  const stop = firstStopSignal(log);
  try {
    const address = await app.listen({ host: settings.host, port: settings.port }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      throw new CliError(
        `port ${settings.port} on ${settings.host} is in use (${describePortOwner(settings.port)}); choose another with --port`,
        ExitCode.unavailable,
      );
    });
    await logStartReport(config, 'serve', [], log, client.workflowService);
    log(
      `sprint serve on ${address}/v1 (${apiKeys.length ? `${apiKeys.length} API key(s)` : 'NO authentication'}, ` +
        `at most ${settings.maxConcurrent} sessions, disconnect: ${settings.onDisconnect})`,
    );
    if (telemetry.metricsUrl) log(`metrics on ${telemetry.metricsUrl}`);
    if (telemetry.tracesTo) log(`traces to ${telemetry.tracesTo}`);
    await stop;
  } finally {
    await app.close();
    releaseWorkers?.();
    await workersDone;
    await telemetry.close();
    await client.connection.close();
  }
}
