import {
  ContinueAsNew,
  isCancellation,
  patched,
  proxySinks,
  workflowInfo,
  type ConcludeActivationInput,
  type ConcludeActivationOutput,
  type DisposeInput,
  type Next,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { MethodRunResult } from '../core/method-result';
import { DEFAULT_SESSION_PROFILE, sessionProfiles } from '../core/session/policies';
import { boundedLabel, sessionMethodOf, type SessionOutcome } from '../core/telemetry/labels';
import { TRACE_HEADER, WorkflowTracer } from './tracing';

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
 * Traces: only for a workflow whose start carried a trace context (a tracing client: sprint serve,
 * the CLI): the decision rests on its history, so replays decide alike, and runs recorded before
 * tracing existed replay exactly as they ran. A traced run started by this code runs sprint's own
 * tracer (workflows/tracing.ts: the spans of Temporal's OpenTelemetry interceptors at a fraction of
 * their cost) and records so with a patch marker; a traced run recorded without the marker (by the
 * code before it, with Temporal's interceptors) goes on with Temporal's interceptors, which keep its
 * replay exactly as it ran (they differ in promise ticks and in their use of the workflow's random
 * numbers). Their spans leave the sandbox through sinks: `workflowSpans` and, for the older runs,
 * `exporter` (workers/telemetry/workflow-spans.ts).
 */

/** The patch marker of traced runs that use sprint's tracer. */
export const SPRINT_TRACER_PATCH = 'sprint-workflow-tracer';

/** How this workflow is traced; decided when it starts (execute runs first in every activation order). */
interface TraceState {
  mode: 'untraced' | 'sprint' | 'sdk';
  tracer?: WorkflowTracer;
}

export { TRACE_HEADER };

/*
 * The methods of Temporal's workflow interceptors, named here rather than read from their
 * prototypes: their module (and the OpenTelemetry SDK under it, evaluated again in each workflow's
 * context) loads on the first call of a traced run recorded before sprint's tracer only.
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
/* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by older traced runs only */
const otel = () => require('@temporalio/interceptors-opentelemetry/lib/workflow') as OtelWorkflowModule;

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;
type Methods = Record<string, Method | undefined>;

/**
 * An interceptor that forwards each of `methods` to sprint's tracer or to Temporal's interceptors
 * (`sdk`, made on first use: it loads and sets up the SDK's tracer in the sandbox), as the run is
 * traced, and straight to `next` when it is not.
 */
function traced<T extends object>(
  state: TraceState,
  methods: readonly string[],
  sprint: (tracer: WorkflowTracer) => object,
  sdk: () => object,
): T {
  let sdkInner: Methods | undefined;
  const wrapper: Record<string, Method> = {};
  for (const name of methods) {
    wrapper[name] = (input, next) => {
      let inner: Methods;
      if (state.mode === 'sprint') inner = sprint(state.tracer!) as Methods;
      else if (state.mode === 'sdk') inner = sdkInner ??= sdk() as Methods;
      else return next(input);
      const method = inner[name];
      return method ? method.call(inner, input, next) : next(input);
    };
  }
  return wrapper as unknown as T;
}

class TraceDecision implements WorkflowInboundCallsInterceptor {
  constructor(private readonly state: TraceState) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    if (input.headers[TRACE_HEADER] !== undefined) {
      if (patched(SPRINT_TRACER_PATCH)) {
        this.state.mode = 'sprint';
        this.state.tracer = new WorkflowTracer(workflowInfo().runId);
      } else {
        this.state.mode = 'sdk';
      }
    }
    return next(input);
  }
}

/** Sprint's tracer's end of each activation (its spans out in one sink call) and of the run. */
class TracerLifecycle implements WorkflowInternalsInterceptor {
  constructor(private readonly state: TraceState) {}

  concludeActivation(
    input: ConcludeActivationInput,
    next: Next<WorkflowInternalsInterceptor, 'concludeActivation'>,
  ): ConcludeActivationOutput {
    this.state.tracer?.flush();
    return next(input);
  }

  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    this.state.tracer?.dispose();
    next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const state: TraceState = { mode: 'untraced' };
  return {
    inbound: [
      new TraceDecision(state),
      traced<WorkflowInboundCallsInterceptor>(
        state,
        tracedInboundMethods,
        (tracer) => tracer.inbound,
        () => new (otel().OpenTelemetryInboundInterceptor)(),
      ),
      new SessionMetricsInterceptor(),
    ],
    outbound: [
      traced<WorkflowOutboundCallsInterceptor>(
        state,
        tracedOutboundMethods,
        (tracer) => tracer.outboundInterceptor,
        () => new (otel().OpenTelemetryOutboundInterceptor)(),
      ),
    ],
    internals: [
      new TracerLifecycle(state),
      traced<WorkflowInternalsInterceptor>(
        state,
        tracedInternalsMethods,
        () => ({}),
        () => new (otel().OpenTelemetryInternalsInterceptor)(),
      ),
    ],
  };
};
