import type { Command } from 'commander';
import { workerRoles, type WorkerRole } from '../../workers/roles';
import type { GlobalOptions } from '../context';
import { readConfigOffThread } from '../config-off-thread';
import { CliError, ExitCode } from '../exit-codes';
import { withMetricsPort } from '../metrics-port-flag';

type CreateModule = typeof import('../../workers/create');
type InProcessModule = typeof import('../in-process');
type PollersModule = typeof import('../../workers/pollers');
type TelemetryModule = typeof import('../../workers/telemetry/process');

/** `sprint worker <role>`: the workers of one role, until a stop signal. */
export async function runWorker(
  role: string,
  opts: { pool?: string; replica?: string; metricsPort?: string },
  cmd: Command,
): Promise<void> {
  if (!(workerRoles as readonly string[]).includes(role)) {
    throw new CliError(`unknown worker role "${role}" (one of: ${workerRoles.join(', ')})`, ExitCode.usage);
  }
  // The config loads on a worker thread while this thread loads the Temporal SDK and the worker
  // code (the two largest parts of the start before the first poll; bench/cli-startup.ts).
  // Nothing awaits in between, so a config error is still handled by the await below.
  const loading = readConfigOffThread(cmd.optsWithGlobals<GlobalOptions>());
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded here, after the thread started */
  const { firstStopSignal } = require('../../workers/create') as CreateModule;
  const { startInProcessWorkers } = require('../in-process') as InProcessModule;
  const { startProcessTelemetry } = require('../../workers/telemetry/process') as TelemetryModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = withMetricsPort(await loading, 'worker', opts.metricsPort);
  const log = (line: string) => console.log(`sprint worker ${role}: ${line}`);
  const stop = firstStopSignal(log);
  const telemetry = await startProcessTelemetry(config, 'worker', log);
  const workers = await startInProcessWorkers(
    config,
    [{ role: role as WorkerRole, pool: opts.pool, replica: opts.replica }],
    { until: stop },
  );
  log(`polling ${workers.queues.join(', ')}`);
  if (telemetry.metricsUrl) log(`metrics on ${telemetry.metricsUrl}`);
  if (telemetry.tracesTo) log(`traces to ${telemetry.tracesTo}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- after the workers poll, like the two above
  const { logStartReport } = require('../../workers/pollers') as PollersModule;
  await logStartReport(config, role as WorkerRole, workers.queues, log);
  await workers.done;
  await telemetry.close();
}
