import { trace, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetrySettings } from '../../config/schema/telemetry';

/*
 * The process's OpenTelemetry tracing: one tracer provider, registered globally with an
 * AsyncLocalStorage context manager (a span started inside a handler or an activity is the parent
 * of those its awaits start), exporting over OTLP/HTTP when telemetry.traces.otlpEndpoint is set.
 * Without an endpoint (and no processor given, as tests give one) nothing is registered: spans are
 * the API's no-ops and cost nothing. The SDK's modules load only then (about a second of a CLI
 * start on a busy machine otherwise).
 */

export interface Tracing {
  tracer: Tracer;
  /** Every span ends here (workflow spans too: workers/telemetry hands it to the workflows' sink). */
  processor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** The tracing started in this process, if any. */
export function currentTracing(): Tracing | undefined {
  return current;
}

/* eslint-disable @typescript-eslint/no-require-imports -- the SDK loads only in a process that traces */
/**
 * Starts tracing for this process (once: the provider is global; a second call returns the first).
 * `processors` are added to the OTLP export (tests pass an in-memory exporter's).
 */
export function startTracing(
  settings: TelemetrySettings['traces'],
  processors: SpanProcessor[] = [],
): Tracing | undefined {
  if (current) return current;
  if (!settings.otlpEndpoint && !processors.length) return undefined;
  const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { Resource: ResourceClass } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const exported: SpanProcessor[] = [];
  if (settings.otlpEndpoint) {
    const { OTLPTraceExporter } =
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    exported.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: settings.otlpEndpoint })));
  }
  const resource = new ResourceClass({ 'service.name': settings.serviceName });
  const provider = new sdk.BasicTracerProvider({ resource, spanProcessors: [...processors, ...exported] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  current = {
    tracer: trace.getTracer('sprint'),
    processor: provider.getActiveSpanProcessor(),
    resource,
    shutdown: () => provider.shutdown(),
  };
  return current;
}
/* eslint-enable @typescript-eslint/no-require-imports */
