import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientOptions } from '@temporalio/client';
import { currentTracing } from '../../io/telemetry/tracing';

/**
 * A client's interceptors when this process traces: the workflows it starts and signals carry the
 * active span's context (workflows/telemetry.ts traces exactly those). None otherwise, so an
 * untraced process never marks a workflow as traced.
 */
export function tracingClientInterceptors(): Pick<ClientOptions, 'interceptors'> {
  const tracing = currentTracing();
  if (!tracing) return {};
  return {
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] },
  };
}
