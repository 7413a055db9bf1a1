import * as path from 'node:path';
import type { Command } from 'commander';
import type { SprintConfig } from '../../config';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../infra/temporal/dev-server';
import { firstStopSignal } from '../../workers/create';
import { clientFor, readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { startInProcessWorkers } from '../in-process';
import { withMetricsPort } from '../metrics-port-flag';
import { startProcessTelemetry } from '../../workers/telemetry/process';

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === 'localhost' || h === '0.0.0.0' ? '127.0.0.1' : h);
  return norm(a) === norm(b);
}

/** The embedded server is used when enabled and the configured address is its own. */
export function usesEmbeddedServer(config: SprintConfig): boolean {
  const e = config.temporal.embedded;
  if (!e.enabled) return false;
  const [host = '', port = ''] = config.temporal.address.split(':');
  return sameHost(host, e.ip) && Number(port) === e.port;
}

export async function bringUpServer(
  config: SprintConfig,
  log: (line: string) => void,
): Promise<DevServer | undefined> {
  if (!usesEmbeddedServer(config)) {
    log(`using the Temporal server at ${config.temporal.address} (embedded server skipped)`);
    return undefined;
  }
  const e = config.temporal.embedded;
  const cliPath = ensureTemporalCli(e.cliPath);
  try {
    const server = await startDevServer({
      cliPath,
      ip: e.ip,
      port: e.port,
      uiPort: e.uiPort,
      dbFile: e.dbFile,
      namespace: config.temporal.namespace,
      retentionDays: e.retentionDays,
      logLevel: e.logLevel,
      logFile: path.join(path.dirname(e.dbFile), 'temporal-server.log'),
      ...(e.uiCodecEndpoint ? { uiCodecEndpoint: e.uiCodecEndpoint } : {}),
    });
    if (server.owned) log(`started the Temporal dev server at ${server.address} (state in ${e.dbFile})`);
    else log(`attached to the Temporal server already running at ${server.address}`);
    return server;
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.unavailable);
  }
}

/** `sprint dev`: the embedded server and every worker, until Ctrl-C. */
export async function runDev(
  opts: { serverOnly?: boolean; metricsPort?: string },
  cmd: Command,
): Promise<void> {
  const config = withMetricsPort(readConfig(cmd.optsWithGlobals<GlobalOptions>()), 'dev', opts.metricsPort);
  const log = (line: string) => console.log(`sprint dev: ${line}`);
  // We shut down in order ourselves: workers drain first, then the server stops. Signals are
  // handled here (not by the SDK's one-shot handlers) so a second Ctrl-C cannot kill us mid-drain.
  const stopSignal = firstStopSignal(log);
  const server = await bringUpServer(config, log);
  const uiPort = config.temporal.embedded.uiPort;
  if (server) log(`Web UI: http://localhost:${uiPort}/namespaces/${config.temporal.namespace}/workflows`);
  let exitCode: number = ExitCode.ok;
  try {
    if (opts.serverOnly) {
      log('server only; press Ctrl-C to stop');
      await stopSignal;
    } else {
      const telemetry = await startProcessTelemetry(config, 'dev', log);
      const workers = await startInProcessWorkers(config, [{ role: 'all' }], { until: stopSignal });
      log(`workers polling: ${workers.queues.join(', ')}`);
      // The queues' backlog and pollers are asked of the server through a client of their own.
      const queuesClient = telemetry.metricsUrl ? await clientFor(config) : undefined;
      if (queuesClient) telemetry.exportQueues(queuesClient.workflowService);
      if (telemetry.metricsUrl) log(`metrics on ${telemetry.metricsUrl}`);
      if (telemetry.tracesTo) log(`traces to ${telemetry.tracesTo}`);
      log('ready; press Ctrl-C to stop');
      await workers.done;
      await telemetry.close();
      await queuesClient?.connection.close();
    }
  } catch (err) {
    console.error(`sprint dev: ${(err as Error).message}`);
    exitCode = ExitCode.failed;
  } finally {
    if (server?.owned) {
      log('stopping the Temporal dev server');
      await server.stop();
    }
  }
  log('stopped');
  process.exit(exitCode);
}
