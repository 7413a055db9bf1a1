import type { WorkerOptions } from '@temporalio/worker';
import { ActivityMetricsInterceptor, type ActivityMetricsTarget } from './activity-metrics';
import { sessionMetricsSinks } from './sinks';
import { workflowInterceptorModules } from '../bundle-options';

/**
 * The telemetry of one worker: its activities' metrics (model calls by `target`'s pool and replica),
 * the sinks its workflows report sessions through, and, when the worker bundles the workflows
 * itself (`workflowsPath`), the workflow interceptors; a pre-built bundle has them already.
 */
export function telemetryWorkerOptions(
  target: ActivityMetricsTarget | undefined,
  source: Pick<WorkerOptions, 'workflowsPath'> = {},
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new ActivityMetricsInterceptor(ctx, target) })],
      ...(source.workflowsPath ? { workflowModules: workflowInterceptorModules } : {}),
    },
    sinks: sessionMetricsSinks(),
  };
}
