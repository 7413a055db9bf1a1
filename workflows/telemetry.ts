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
import type { MethodRunResult } from '../core/method-result';
import { DEFAULT_SESSION_PROFILE, sessionProfiles } from '../core/session/policies';
import { boundedLabel, sessionMethodOf, type SessionOutcome } from '../core/telemetry/labels';

/*
 * Not a workflow: the workflow interceptors every bundle carries (workers/bundle-options.ts). The
 * session figures are known in the workflow, when it starts and when it ends; the metrics live in
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

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new SessionMetricsInterceptor()],
});
