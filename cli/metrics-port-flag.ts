import type { SprintConfig } from '../config';
import type { MetricsProcess } from '../config/schema/telemetry';
import { CliError, ExitCode } from './exit-codes';

/** The help text of `--metrics-port` for a kind of process. */
export function metricsPortHelp(kind: MetricsProcess, fallback: string): string {
  return `Prometheus metrics on this port, \`off\` for none (config telemetry.metrics.ports.${kind}; default ${fallback})`;
}

/** The config with `--metrics-port` applied, when given (flag > config file > default). */
export function withMetricsPort(
  config: SprintConfig,
  kind: MetricsProcess,
  flag: string | undefined,
): SprintConfig {
  if (flag === undefined) return config;
  let port: number | false;
  if (flag === 'off') port = false;
  else {
    port = Number(flag);
    if (!/^\d+$/.test(flag) || port < 1 || port > 65535)
      throw new CliError(`--metrics-port: expected a port (1-65535) or "off", got "${flag}"`, ExitCode.usage);
  }
  const metrics = config.telemetry.metrics;
  return {
    ...config,
    telemetry: { ...config.telemetry, metrics: { ...metrics, ports: { ...metrics.ports, [kind]: port } } },
  };
}
