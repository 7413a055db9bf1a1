/*
 * A span of sprint's workflow tracer (workflows/tracing.ts) as it leaves the sandbox: plain data,
 * copied out through a sink and made an OpenTelemetry span by the worker
 * (workers/telemetry/workflow-spans.ts).
 */

/** What the SDK's interceptors record as the instrumentation scope of workflow spans: kept alike. */
export const WORKFLOW_SPAN_SCOPE = '@temporalio/interceptor-workflow';

/** OpenTelemetry's SpanStatusCode values. */
export const SpanStatus = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type SpanStatusCode = (typeof SpanStatus)[keyof typeof SpanStatus];

/** An ended span as it leaves the sandbox (a sink argument: plain data, copied out). */
export interface WorkflowSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceFlags: number;
  traceState?: string;
  /** Workflow time (the activation's), ms since the epoch. */
  startMs: number;
  endMs: number;
  status: { code: SpanStatusCode; message?: string };
  attributes?: Record<string, string>;
  /** The error a failed span ended with (OpenTelemetry records it as an `exception` event). */
  exception?: { type: string; message: string; stack?: string };
}
