import {
  ContinueAsNew,
  isCancellation,
  proxySinks,
  workflowInfo,
  type Next,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import type {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { MethodRunResult } from '../core/method-result';
import { DEFAULT_SESSION_PROFILE, sessionProfiles } from '../core/session/policies';
import { boundedLabel, sessionMethodOf, type SessionOutcome } from '../core/telemetry/labels';

/*
 * Not a workflow: the workflow interceptors every bundle carries (workers/bundle-options.ts).
 *
 * Metrics: the session figures are known in the workflow, when it starts and when it ends; the metrics live in
 * the worker process. A sink carries them out, and the worker registers it not to be called on
 * replay (workers/telemetry/sinks.ts), so each session is counted once by the worker that ran it
 * first, whatever the number of replays, and the workflow's commands do not change.
 */

/** What a completed session reports (plain numbers: sink arguments are copied out of the sandbox). */
export interface SessionFigures {
  wallMs: number;
  sequentialTokens: number;
  generatedTokens: number;
  rounds: number;
  promptsPerRound: number[];
}

export interface SessionMetricsSinks extends Sinks {
  sessionMetrics: {
    started(method: string, profile: string): void;
    ended(method: string, profile: string, outcome: SessionOutcome, figures?: SessionFigures): void;
  };
}

const { sessionMetrics } = proxySinks<SessionMetricsSinks>();

/** The loop profile a session's input names (its settings come resolved from the config). */
function profileOf(input: unknown): string {
  const settings = (input as { settings?: { profile?: unknown } } | undefined)?.settings;
  const profile = typeof settings?.profile === 'string' ? settings.profile : DEFAULT_SESSION_PROFILE;
  return boundedLabel(profile, sessionProfiles);
}

function figuresOf(result: MethodRunResult): SessionFigures {
  return {
    wallMs: result.wallMs,
    sequentialTokens: result.tokens.sequential,
    generatedTokens: result.tokens.total,
    rounds: result.rounds,
    promptsPerRound: result.promptsPerRound,
  };
}

class SessionMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    const info = workflowInfo();
    const method = sessionMethodOf(info.workflowType);
    if (!method) return next(input);
    const profile = profileOf(input.args[0]);
    // A run continued-as-new is the same session going on.
    if (info.continuedFromExecutionRunId === undefined) sessionMetrics.started(method, profile);
    try {
      const result = (await next(input)) as MethodRunResult;
      sessionMetrics.ended(method, profile, 'completed', figuresOf(result));
      return result;
    } catch (err) {
      if (!(err instanceof ContinueAsNew))
        sessionMetrics.ended(method, profile, isCancellation(err) ? 'cancelled' : 'failed');
      throw err;
    }
  }
}

/*
 * Traces: Temporal's OpenTelemetry interceptors (a span for the run, one for each activity, signal,
 * child and continue-as-new, parented to the client's span through headers; their spans leave the
 * sandbox through the `exporter` sink, workers/telemetry/worker-options.ts). Only for a workflow
 * whose start carried a trace context (a tracing client: sprint serve, the CLI): the decision rests
 * on its history, so replays decide alike, and runs recorded before tracing existed replay exactly
 * as they ran.
 */

/** Whether this workflow is traced; decided when it starts (execute runs first in every activation order). */
interface TraceState {
  traced: boolean;
}

/**
 * The header a traced start carries (the SDK's TRACE_HEADER; test/unit/workflow-telemetry.test.ts
 * checks they agree): named here so an untraced workflow loads nothing of OpenTelemetry.
 */
export const TRACE_HEADER = '_tracer-data';

/*
 * The methods of Temporal's workflow interceptors, named here rather than read from their
 * prototypes, for the same reason: their module (and the OpenTelemetry SDK under it, evaluated
 * again in each workflow's context) loads on the first call of a traced workflow only.
 * test/unit/workflow-telemetry.test.ts checks the lists against the SDK's classes.
 */
export const tracedInboundMethods = [
  'execute',
  'handleSignal',
  'handleUpdate',
  'validateUpdate',
  'handleQuery',
] as const;
export const tracedOutboundMethods = [
  'scheduleActivity',
  'scheduleLocalActivity',
  'startNexusOperation',
  'startChildWorkflowExecution',
  'continueAsNew',
  'signalWorkflow',
  'getLogAttributes',
  'getMetricTags',
] as const;
export const tracedInternalsMethods = ['dispose'] as const;

type OtelWorkflowModule = typeof import('@temporalio/interceptors-opentelemetry/lib/workflow');
/* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by traced workflows only */
const otel = () => require('@temporalio/interceptors-opentelemetry/lib/workflow') as OtelWorkflowModule;

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/**
 * An interceptor that forwards each of `methods` to `inner` when the workflow is traced, and
 * straight to `next` otherwise; `inner` is made on first use (it loads and sets up the sandbox's
 * tracer).
 */
function whenTraced<T extends object>(state: TraceState, methods: readonly string[], make: () => T): T {
  let inner: Record<string, Method> | undefined;
  const wrapper: Record<string, Method> = {};
  for (const name of methods) {
    wrapper[name] = (input, next) => {
      if (!state.traced) return next(input);
      inner ??= make() as unknown as Record<string, Method>;
      const method = inner[name];
      return method ? method.call(inner, input, next) : next(input);
    };
  }
  return wrapper as unknown as T;
}

class TraceDecision implements WorkflowInboundCallsInterceptor {
  constructor(private readonly state: TraceState) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    this.state.traced = input.headers[TRACE_HEADER] !== undefined;
    return next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const state: TraceState = { traced: false };
  return {
    inbound: [
      new TraceDecision(state),
      whenTraced<OpenTelemetryInboundInterceptor>(
        state,
        tracedInboundMethods,
        () => new (otel().OpenTelemetryInboundInterceptor)(),
      ),
      new SessionMetricsInterceptor(),
    ],
    outbound: [
      whenTraced<OpenTelemetryOutboundInterceptor>(
        state,
        tracedOutboundMethods,
        () => new (otel().OpenTelemetryOutboundInterceptor)(),
      ),
    ],
    internals: [
      whenTraced<OpenTelemetryInternalsInterceptor>(
        state,
        tracedInternalsMethods,
        () => new (otel().OpenTelemetryInternalsInterceptor)(),
      ),
    ],
  };
};
