import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import { currentTracing, untraced } from '../../io/telemetry/tracing';
import { ActivityMetricsInterceptor, type ActivityMetricsTarget } from './activity-metrics';
import { sessionMetricsSinks } from './sinks';
import { workflowInterceptorModules } from '../bundle-options';

/** The activity interceptors: a span per attempt when this process traces (outermost), then the metrics. */
function activityInterceptors(target: ActivityMetricsTarget | undefined): ActivityInterceptorsFactory[] {
  const tracing = currentTracing();
  const metrics: ActivityInterceptorsFactory = (ctx) => ({
    inbound: new ActivityMetricsInterceptor(ctx, target),
  });
  if (!tracing) return [metrics];
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
  // A traced workflow's spans go nowhere on a worker that does not trace, but the sink must exist.
  const { processor, resource } = currentTracing() ?? untraced;
  return {
    interceptors: {
      activity: activityInterceptors(target),
      ...(source.workflowsPath ? { workflowModules: workflowInterceptorModules } : {}),
    },
    sinks: { ...sessionMetricsSinks(), exporter: makeWorkflowExporter(processor, resource) },
  };
}
