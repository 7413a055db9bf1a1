import { createTraceState } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { InjectedSinks } from '@temporalio/worker';
import type {
  OpenTelemetryWorkflowExporter,
  SerializableSpan,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Tracing } from '../../io/telemetry/tracing';

/*
 * The worker side of the workflows' span sink (Temporal's workflow interceptors end their spans in
 * the sandbox and hand them out through the `exporter` sink). In place of the SDK's
 * makeWorkflowExporter, which copies the whole WorkflowInfo into every span's attributes: its
 * search attributes, memo and the rest, a kilobyte and more of nested objects per span, to
 * serialize and send for each activity a session schedules. Here a span gets the run's ids only.
 * Not called on replay (a sink's default): a replayed span was exported when it first ran.
 */
export function workflowSpanSink(
  tracing: Tracing | undefined,
): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> {
  // A traced workflow may run on a worker that does not trace: the sink must exist all the same.
  if (!tracing) return { exporter: { export: { fn: () => undefined } } };
  const { processor, resource } = tracing;
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const run = {
            workflowId: info.workflowId,
            runId: info.runId,
            workflowType: info.workflowType,
            taskQueue: info.taskQueue,
          };
          for (const span of spans) processor.onEnd(readableSpan(span, run, resource));
        },
      },
    },
  };
}

function readableSpan(
  serialized: SerializableSpan,
  run: Record<string, string>,
  resource: Resource,
): ReadableSpan {
  const { spanContext: serializedContext, attributes, ...rest } = serialized;
  const { traceState, ...ids } = serializedContext;
  const spanContext = { ...ids, ...(traceState ? { traceState: createTraceState(traceState) } : {}) };
  return {
    ...rest,
    attributes: { ...attributes, ...run },
    spanContext: () => spanContext,
    resource,
  };
}
