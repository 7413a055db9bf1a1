import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import { currentTracing } from '../../io/telemetry/tracing';
import { ActivityMetricsInterceptor, type ActivityMetricsTarget } from './activity-metrics';
import { sessionMetricsSinks } from './sinks';
import { workflowSpanSink } from './workflow-spans';
import { workflowInterceptorModules } from '../bundle-options';

type OtelInterceptors = typeof import('@temporalio/interceptors-opentelemetry');
/** Temporal's tracing interceptors, loaded only by a process that traces. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const otel = () => require('@temporalio/interceptors-opentelemetry') as OtelInterceptors;

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
