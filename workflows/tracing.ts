import {
  ApplicationFailure,
  AsyncLocalStorage,
  ContinueAsNew,
  defaultPayloadConverter,
  proxySinks,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type Payload,
  type QueryInput,
  type SignalInput,
  type SignalWorkflowInput,
  type Sinks,
  type StartChildWorkflowExecutionInput,
  type StartNexusOperationInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import {
  childTraceFlags,
  formatTraceParent,
  parseTraceParent,
  SAMPLED,
  spanIdOf,
  traceIdOf,
  type TraceParent,
} from '../core/telemetry/trace-context';
import { SpanStatus, type WorkflowSpan } from '../core/telemetry/workflow-span';

/*
 * Not a workflow: sprint's tracer for the workflow sandbox (issue 26), in place of Temporal's
 * OpenTelemetry workflow interceptors (workflows/telemetry.ts picks it for the runs it traces).
 * The same spans, named alike (RunWorkflow:<type>, HandleSignal:<name>, HandleQuery:<name>,
 * StartActivity:<type>, StartChildWorkflow, SignalWorkflow, ContinueAsNew, StartNexusOperation,
 * HandleUpdate, ValidateUpdate), with the same parentage: the run's span is the child of the context in its start
 * header, each outbound call's span the child of the run's span (or of the handler's it runs in),
 * and that span's context goes into the call's header as the SDK's activity interceptor reads it
 * (`_tracer-data`: the JSON carrier of W3C's traceparent, tracestate and baggage). What it does
 * not do, and why it costs a fraction of the SDK's: no OpenTelemetry SDK evaluated and no tracer
 * provider built in each traced workflow's context; one promise per span rather than a chain of
 * async wrappers (the worker captures a stack trace for every promise created in the sandbox); span
 * ids hashed from the run id and a counter rather than drawn from the workflow's random numbers, so
 * a replay makes the same ids and the workflow's Math.random is left alone; ended spans buffered and
 * handed out in one sink call per activation (workers/telemetry/workflow-spans.ts turns them into
 * OpenTelemetry spans). Queries and update validators run outside the history (not on replay):
 * their spans take ids of their own, so the run's count, and every later id, is the same whether
 * they ran or not.
 */

/** The header Temporal's OpenTelemetry interceptors carry a span context in (their TRACE_HEADER). */
export const TRACE_HEADER = '_tracer-data';

export interface WorkflowSpanSinks extends Sinks {
  workflowSpans: { export(spans: WorkflowSpan[]): void };
}

const { workflowSpans } = proxySinks<WorkflowSpanSinks>();

/** A span's context as its children inherit it; baggage rides along as OpenTelemetry's context would carry it. */
interface SpanContext extends TraceParent {
  traceState?: string;
  baggage?: string;
}

interface OpenSpan {
  name: string;
  context: SpanContext;
  parentSpanId?: string;
  startMs: number;
  attributes?: Record<string, string>;
}

/** The W3C carrier of a header, if it is one (JSON, as the SDK's payload converter writes it). */
function carrierOf(payload: Payload | undefined): Record<string, unknown> | undefined {
  if (payload === undefined) return undefined;
  try {
    const carrier: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof carrier === 'object' && carrier !== null ? (carrier as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The parent a run or handler span takes from its inbound header (none: a new trace). */
export function parentFromHeader(payload: Payload | undefined): Partial<SpanContext> {
  const carrier = carrierOf(payload);
  if (!carrier) return {};
  const parent = parseTraceParent(carrier.traceparent);
  const baggage = text(carrier.baggage);
  if (!parent) return baggage ? { baggage } : {};
  const traceState = text(carrier.tracestate);
  return { ...parent, ...(traceState ? { traceState } : {}), ...(baggage ? { baggage } : {}) };
}

/** The carrier a span's children receive: what OpenTelemetry's W3C and baggage propagators inject. */
export function carrierFor(context: SpanContext): Record<string, string> {
  return {
    traceparent: formatTraceParent(context),
    ...(context.traceState ? { tracestate: context.traceState } : {}),
    ...(context.baggage ? { baggage: context.baggage } : {}),
  };
}

function exceptionOf(err: unknown): WorkflowSpan['exception'] {
  if (err instanceof Error)
    return { type: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { type: typeof err, message: String(err) };
}

/** OpenTelemetry's status for an error: benign application failures leave it unset. */
function errorStatus(err: unknown): WorkflowSpan['status'] {
  const benign = err instanceof ApplicationFailure && err.category === 'BENIGN';
  const message =
    err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  return { code: benign ? SpanStatus.UNSET : SpanStatus.ERROR, message };
}

const isContinueAsNew = (err: unknown) => err instanceof ContinueAsNew;

/** One traced run's spans: made, ended into a buffer, handed out at the end of each activation. */
export class WorkflowTracer {
  /** The span workflow code runs under: the run's, or a signal's or update's handler's. */
  private readonly active = new AsyncLocalStorage<OpenSpan>();
  private run: OpenSpan | undefined;
  private ended: WorkflowSpan[] = [];
  private spans = 0;

  constructor(private readonly seed: string) {}

  /**
   * A new span, the child of `parent` (a new trace without one). Its ids: the `n`th of the run's
   * seed, or of `seed` where a span must not advance the run's count.
   */
  private start(
    name: string,
    parent: Partial<SpanContext>,
    attributes?: Record<string, string>,
    seed?: string,
  ): OpenSpan {
    const n = seed === undefined ? this.spans++ : 0;
    seed ??= this.seed;
    const traceParent =
      parent.traceId !== undefined && parent.spanId !== undefined ? (parent as TraceParent) : undefined;
    const context: SpanContext = {
      traceId: traceParent?.traceId ?? traceIdOf(seed, n),
      spanId: spanIdOf(seed, n),
      traceFlags: childTraceFlags(traceParent),
      ...(traceParent && parent.traceState ? { traceState: parent.traceState } : {}),
      ...(parent.baggage ? { baggage: parent.baggage } : {}),
    };
    return {
      name,
      context,
      ...(traceParent ? { parentSpanId: traceParent.spanId } : {}),
      startMs: Date.now(),
      ...(attributes ? { attributes } : {}),
    };
  }

  private end(span: OpenSpan, err?: unknown, acceptable?: (err: unknown) => boolean): void {
    // Not sampled: its context went on to its children, the span itself is not recorded.
    if (!(span.context.traceFlags & SAMPLED)) return;
    const failed = err !== undefined && !acceptable?.(err);
    const { traceId, spanId, traceFlags, traceState } = span.context;
    this.ended.push({
      name: span.name,
      traceId,
      spanId,
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
      traceFlags,
      ...(traceState ? { traceState } : {}),
      startMs: span.startMs,
      endMs: Date.now(),
      status: failed ? errorStatus(err) : { code: SpanStatus.OK },
      ...(span.attributes ? { attributes: span.attributes } : {}),
      ...(failed ? { exception: exceptionOf(err) } : {}),
    });
  }

  /** Runs `fn` in `span`, ending it when `fn`'s promise settles (one `then`, no async wrappers). */
  private around<T>(
    span: OpenSpan,
    fn: () => Promise<T>,
    options: { activate?: boolean; acceptable?: (err: unknown) => boolean } = {},
  ): Promise<T> {
    let result: Promise<T>;
    try {
      result = options.activate ? this.active.run(span, fn) : fn();
    } catch (err) {
      this.end(span, err, options.acceptable);
      throw err;
    }
    return result.then(
      (value) => {
        this.end(span);
        return value;
      },
      (err: unknown) => {
        this.end(span, err ?? new Error(String(err)), options.acceptable);
        throw err;
      },
    );
  }

  /** The span an outbound call's span is the child of. */
  private parent(): OpenSpan | undefined {
    return this.active.getStore() ?? this.run;
  }

  /** An outbound call: its span, its context in the call's headers. */
  private outbound<I extends { headers: Record<string, Payload> }, T>(
    name: string,
    input: I,
    next: (input: I) => Promise<T>,
    acceptable?: (err: unknown) => boolean,
  ): Promise<T> {
    const span = this.start(name, this.parent()?.context ?? {});
    const headers = {
      ...input.headers,
      [TRACE_HEADER]: defaultPayloadConverter.toPayload(carrierFor(span.context)),
    };
    return this.around(span, () => next({ ...input, headers }), { acceptable });
  }

  readonly inbound: WorkflowInboundCallsInterceptor = {
    execute: (input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) => {
      const span = this.start(
        `RunWorkflow:${workflowInfo().workflowType}`,
        parentFromHeader(input.headers[TRACE_HEADER]),
      );
      this.run = span;
      return this.around(span, () => next(input), { activate: true, acceptable: isContinueAsNew });
    },
    handleSignal: (input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) => {
      const span = this.start(
        `HandleSignal:${input.signalName}`,
        parentFromHeader(input.headers[TRACE_HEADER]),
      );
      return this.around(span, () => next(input), { activate: true });
    },
    handleUpdate: (input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) => {
      const span = this.start(`HandleUpdate:${input.name}`, parentFromHeader(input.headers[TRACE_HEADER]), {
        temporalUpdateId: input.updateId,
      });
      return this.around(span, () => next(input), { activate: true });
    },
    handleQuery: (input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) => {
      const span = this.start(
        `HandleQuery:${input.queryName}`,
        parentFromHeader(input.headers[TRACE_HEADER]),
        undefined,
        `${this.seed}/query/${input.queryId}`,
      );
      return this.around(span, () => next(input));
    },
    validateUpdate: (input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) => {
      // Not in the history: ids of its own (see above).
      const span = this.start(
        `ValidateUpdate:${input.name}`,
        parentFromHeader(input.headers[TRACE_HEADER]),
        { temporalUpdateId: input.updateId },
        `${this.seed}/validate/${input.updateId}`,
      );
      try {
        next(input);
      } catch (err) {
        this.end(span, err);
        throw err;
      }
      this.end(span);
    },
  };

  readonly outboundInterceptor: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (
      input: ActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
    ) => this.outbound(`StartActivity:${input.activityType}`, input, next),
    scheduleLocalActivity: (
      input: LocalActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
    ) => this.outbound(`StartActivity:${input.activityType}`, input, next),
    startChildWorkflowExecution: (
      input: StartChildWorkflowExecutionInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
    ) => this.outbound(`StartChildWorkflow:${input.workflowType}`, input, next),
    signalWorkflow: (
      input: SignalWorkflowInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>,
    ) => this.outbound(`SignalWorkflow:${input.signalName}`, input, next),
    continueAsNew: (
      input: ContinueAsNewInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>,
    ) => this.outbound(`ContinueAsNew:${input.options.workflowType}`, input, next, isContinueAsNew),
    startNexusOperation: (
      input: StartNexusOperationInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'startNexusOperation'>,
    ) => {
      const span = this.start(
        `StartNexusOperation:${input.service}/${input.operation}`,
        this.parent()?.context ?? {},
        {
          temporalNexusService: input.service,
          temporalNexusOperation: input.operation,
          temporalNexusEndpoint: input.endpoint,
        },
      );
      // Nexus headers are plain strings: the carrier goes in as it is.
      const headers = { ...input.headers, ...carrierFor(span.context) };
      return this.around(span, () => next({ ...input, headers }));
    },
    getLogAttributes: (
      input: GetLogAttributesInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
    ) => {
      const span = this.active.getStore();
      if (!span) return next(input);
      const { traceId, spanId, traceFlags } = span.context;
      return next({
        trace_id: traceId,
        span_id: spanId,
        trace_flags: `0${traceFlags.toString(16)}`,
        ...input,
      });
    },
  };

  /** Hands the spans ended in this activation out (one sink call; none if none ended). */
  flush(): void {
    if (!this.ended.length) return;
    const spans = this.ended;
    this.ended = [];
    workflowSpans.export(spans);
  }

  dispose(): void {
    this.active.disable();
  }
}
