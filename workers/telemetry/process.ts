import * as net from 'node:net';
import type { WorkflowService } from '@temporalio/client';
import type { RuntimeOptions } from '@temporalio/worker';
import type { SprintConfig } from '../../config/schema';
import type { MetricsProcess } from '../../config/schema/telemetry';
import { MetricsPortInUseError, startMetricsServer } from '../../io/telemetry/metrics-server';
import { startTracing } from '../../io/telemetry/tracing';
import { deploymentQueues } from '../pollers';
import { exportQueueStats } from './queue-metrics';

/*
 * The telemetry of one long-running process (sprint dev, worker, serve): its metrics endpoint, and
 * the Temporal SDK's metrics behind it. The SDK's native runtime serves its own Prometheus text on
 * a loopback port of its choosing; the endpoint appends it to sprint's figures, so Prometheus
 * scrapes one address per process. The runtime is process-global: installed once, by whoever
 * creates the workers, with runtimeTelemetryOptions().
 */

export interface ProcessTelemetry {
  /** The metrics endpoint, when one is served. */
  metricsUrl?: string;
  /** Where traces go, when they are exported. */
  tracesTo?: string;
  /**
   * Exports the backlog and pollers of every queue of the deployment (`sprint status`'s source),
   * asked of the server through `service` at each scrape; nothing when no endpoint is served.
   */
  exportQueues(service: WorkflowService): void;
  close(): Promise<void>;
}

/** host:port the SDK's runtime exports its metrics on, once a process asked for an endpoint. */
let runtimeMetricsAddress: string | undefined;
let runtimeMetricsInstalled = false;

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The Runtime.install options that export the SDK's metrics (none when this process serves no endpoint). */
export function runtimeTelemetryOptions(): Pick<RuntimeOptions, 'telemetryOptions'> {
  if (!runtimeMetricsAddress) return {};
  runtimeMetricsInstalled = true;
  return { telemetryOptions: { metrics: { prometheus: { bindAddress: runtimeMetricsAddress } } } };
}

async function runtimeMetricsText(): Promise<string> {
  if (!runtimeMetricsInstalled || !runtimeMetricsAddress) return '';
  const res = await fetch(`http://${runtimeMetricsAddress}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.ok ? res.text() : '';
}

/**
 * Starts the telemetry of a `kind` process, before its workers and Temporal client: tracing when
 * an OTLP endpoint is configured, and the metrics endpoint on its configured port
 * (telemetry.metrics.ports). A port in use is reported with `warn` and the process goes on without
 * one: metrics are worth less than the service they watch.
 */
export async function startProcessTelemetry(
  config: SprintConfig,
  kind: MetricsProcess,
  warn: (line: string) => void,
): Promise<ProcessTelemetry> {
  const tracing = startTracing(config.telemetry.traces);
  const traces = {
    ...(tracing && config.telemetry.traces.otlpEndpoint
      ? { tracesTo: config.telemetry.traces.otlpEndpoint }
      : {}),
  };
  const stopTracing = async () => tracing?.shutdown().catch(() => undefined);
  const metrics = await startMetrics(config, kind, warn);
  let stopQueues: (() => void) | undefined;
  return {
    ...traces,
    ...(metrics ? { metricsUrl: metrics.url } : {}),
    exportQueues(service) {
      if (!metrics || stopQueues) return;
      stopQueues = exportQueueStats(service, config.temporal.namespace, deploymentQueues(config));
    },
    close: async () => {
      stopQueues?.();
      await metrics?.close();
      await stopTracing();
    },
  };
}

async function startMetrics(config: SprintConfig, kind: MetricsProcess, warn: (line: string) => void) {
  const settings = config.telemetry.metrics;
  const port = settings.ports[kind];
  if (port === false) return undefined;
  runtimeMetricsAddress ??= `127.0.0.1:${await freeLoopbackPort()}`;
  try {
    return await startMetricsServer({ host: settings.host, port, more: runtimeMetricsText });
  } catch (err) {
    if (!(err instanceof MetricsPortInUseError)) throw err;
    warn(
      `no metrics endpoint: ${err.message}; choose another with --metrics-port or telemetry.metrics.ports.${kind}`,
    );
    return undefined;
  }
}
