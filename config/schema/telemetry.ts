import { z } from 'zod';

/** A metrics port, or `false`: no metrics endpoint for that kind of process. */
const metricsPort = z.union([z.number().int().min(1).max(65535), z.literal(false)]);

/**
 * What the long-running processes export (docs/observability.md). Metrics: one Prometheus endpoint
 * per process (sprint's own figures and the Temporal SDK's), on a port per kind of process. `sprint
 * dev` and `sprint serve` run once per machine, so theirs are on by default; several `sprint worker`
 * processes often share a machine and would clash on one port, so theirs is off unless set (a pod of
 * its own sets it: infra/k8s). `--metrics-port` overrides the port of the command it is given to
 * (flag > file > default). Traces: exported over OTLP/HTTP when an endpoint is set, none otherwise.
 */
export const telemetrySchema = z
  .object({
    metrics: z
      .object({
        /** Where the endpoints listen; 0.0.0.0 in a container that Prometheus scrapes from outside. */
        host: z.string().min(1).default('127.0.0.1'),
        ports: z
          .object({
            dev: metricsPort.default(9464),
            serve: metricsPort.default(9465),
            worker: metricsPort.default(false),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    traces: z
      .object({
        /** OTLP/HTTP traces endpoint (e.g. http://localhost:4318/v1/traces); unset: no traces exported. */
        otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
        /** service.name of the exported spans. */
        serviceName: z.string().min(1).default('sprint'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TelemetrySettings = z.infer<typeof telemetrySchema>;
/** The kinds of long-running process that serve a metrics endpoint. */
export type MetricsProcess = keyof TelemetrySettings['metrics']['ports'];
