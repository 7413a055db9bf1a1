import { createTraceState, SpanKind, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type {
  OpenTelemetryWorkflowExporter,
  SerializableSpan,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Tracing } from '../../io/telemetry/tracing';
import { WORKFLOW_SPAN_SCOPE, type WorkflowSpan } from '../../core/telemetry/workflow-span';
import type { WorkflowSpanSinks } from '../../workflows/tracing';

type SpanSinks = WorkflowSpanSinks & { exporter: OpenTelemetryWorkflowExporter };

/*
 * The worker side of the workflows' span sinks: `workflowSpans`, where sprint's tracer hands out
 * the spans of each activation (workflows/tracing.ts), and `exporter`, where Temporal's workflow
 * interceptors hand out theirs (traced runs recorded before sprint's tracer). Each span goes to the
 * process's span processor with the run's ids as attributes; in place of the SDK's
 * makeWorkflowExporter, which copies the whole WorkflowInfo into every span's attributes (its
 * search attributes, memo and the rest, a kilobyte and more of nested objects per span, to
 * serialize and send for each activity a session schedules). Not called on replay (a sink's
 * default): a replayed span was exported when it first ran.
 */
export function workflowSpanSink(tracing: Tracing | undefined): InjectedSinks<SpanSinks> {
  // A traced workflow may run on a worker that does not trace: the sinks must exist all the same.
  if (!tracing)
    return {
      workflowSpans: { export: { fn: () => undefined } },
      exporter: { export: { fn: () => undefined } },
    };
  const { processor, resource } = tracing;
  return {
    workflowSpans: {
      export: {
        fn: (info, spans) => {
          const run = runAttributes(info);
          for (const span of spans) processor.onEnd(spanOf(span, run, resource));
        },
      },
    },
    exporter: {
      export: {
        fn: (info, spans) => {
          const run = runAttributes(info);
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

function runAttributes(info: WorkflowInfo): Record<string, string> {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    taskQueue: info.taskQueue,
  };
}

/** OpenTelemetry's time: [seconds, nanoseconds]. */
const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/** A span of sprint's tracer as the SDK's processors take it (an internal span of the workflow scope). */
export function spanOf(span: WorkflowSpan, run: Record<string, string>, resource: Resource): ReadableSpan {
  const spanContext = {
    traceId: span.traceId,
    spanId: span.spanId,
    traceFlags: span.traceFlags,
    ...(span.traceState ? { traceState: createTraceState(span.traceState) } : {}),
  };
  const endTime = hrTime(span.endMs);
  const events: TimedEvent[] = span.exception
    ? [
        {
          name: 'exception',
          time: endTime,
          attributes: {
            'exception.type': span.exception.type,
            'exception.message': span.exception.message,
            ...(span.exception.stack ? { 'exception.stacktrace': span.exception.stack } : {}),
          },
        },
      ]
    : [];
  return {
    name: span.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => spanContext,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    startTime: hrTime(span.startMs),
    endTime,
    duration: hrTime(span.endMs - span.startMs),
    status: span.status,
    attributes: { ...span.attributes, ...run },
    links: [],
    events,
    ended: true,
    resource,
    instrumentationLibrary: { name: WORKFLOW_SPAN_SCOPE },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
