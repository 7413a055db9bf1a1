import { trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetrySettings } from '../../config/schema/telemetry';

/*
 * The process's OpenTelemetry tracing: one tracer provider, registered globally with an
 * AsyncLocalStorage context manager (a span started inside a handler or an activity is the parent
 * of those its awaits start), exporting over OTLP/HTTP when telemetry.traces.otlpEndpoint is set.
 * Without an endpoint (and no processor given, as tests give one) nothing is registered: spans are
 * the API's no-ops and cost nothing.
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

/** What workflow spans are handed to when this process does not trace: nothing. */
export const untraced = { processor: new NoopSpanProcessor(), resource: Resource.empty() };

/**
 * Starts tracing for this process (once: the provider is global; a second call returns the first).
 * `processors` are added to the OTLP export (tests pass an in-memory exporter's).
 */
export function startTracing(
  settings: TelemetrySettings['traces'],
  processors: SpanProcessor[] = [],
): Tracing | undefined {
  if (current) return current;
  const exported = settings.otlpEndpoint
    ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.otlpEndpoint }))]
    : [];
  const spanProcessors = [...processors, ...exported];
  if (!spanProcessors.length) return undefined;
  const resource = new Resource({ 'service.name': settings.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  current = {
    tracer: trace.getTracer('sprint'),
    processor: provider.getActiveSpanProcessor(),
    resource,
    shutdown: () => provider.shutdown(),
  };
  return current;
}
