import type { ActivityInterceptorsFactory, InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { currentTracing, type Tracing } from '../../io/telemetry/tracing';
import { ActivityMetricsInterceptor, type ActivityMetricsTarget } from './activity-metrics';
import { sessionMetricsSinks } from './sinks';
import { workflowInterceptorModules } from '../bundle-options';

type OtelInterceptors = typeof import('@temporalio/interceptors-opentelemetry');
/** Temporal's tracing interceptors, loaded only by a process that traces. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const otel = () => require('@temporalio/interceptors-opentelemetry') as OtelInterceptors;

/** Where a workflow's spans go: the process's span processor, or nowhere when it does not trace. */
function workflowSpanSink(
  tracing: Tracing | undefined,
): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> {
  // A traced workflow may run on a worker that does not trace: the sink must exist all the same.
  if (!tracing) return { exporter: { export: { fn: () => undefined } } };
  return { exporter: otel().makeWorkflowExporter(tracing.processor, tracing.resource) };
}

/** The activity interceptors: a span per attempt when this process traces (outermost), then the metrics. */
function activityInterceptors(target: ActivityMetricsTarget | undefined): ActivityInterceptorsFactory[] {
  const tracing = currentTracing();
  const metrics: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new ActivityMetricsInterceptor(ctx, target),
  });
  if (!tracing) return [metrics];
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } = otel();
  const spans: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
  return [spans, metrics];
}

/**
 * The telemetry of one worker: its activities' metrics (model calls by `target`'s pool and replica)
 * and spans, the sinks its workflows report sessions and spans through, and, when the worker
 * bundles the workflows itself (`workflowsPath`), the workflow interceptors (workflows/telemetry.ts);
 * a pre-built bundle has them already. Start tracing (io/telemetry/tracing.ts) before calling it.
 */
export function telemetryWorkerOptions(
  target: ActivityMetricsTarget | undefined,
  source: Pick<WorkerOptions, 'workflowsPath'> = {},
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: activityInterceptors(target),
      ...(source.workflowsPath ? { workflowModules: workflowInterceptorModules } : {}),
    },
    sinks: { ...sessionMetricsSinks(), ...workflowSpanSink(currentTracing()) },
  };
}
