import type { ClientOptions } from '@temporalio/client';
import { currentTracing } from '../../io/telemetry/tracing';

type OtelInterceptors = typeof import('@temporalio/interceptors-opentelemetry');

/**
 * A client's interceptors when this process traces: the workflows it starts and signals carry the
 * active span's context (workflows/telemetry.ts traces exactly those). None otherwise, so an
 * untraced process never marks a workflow as traced (and never loads the tracing code).
 */
export function tracingClientInterceptors(): Pick<ClientOptions, 'interceptors'> {
  const tracing = currentTracing();
  if (!tracing) return {};
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- only in a process that traces */
  const otel = require('@temporalio/interceptors-opentelemetry') as OtelInterceptors;
  const { OpenTelemetryWorkflowClientInterceptor } = otel;
  return {
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] },
  };
}
