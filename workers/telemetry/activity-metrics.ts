import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../core/errors';
import { engineErrorKind, modelCallRole } from '../../core/telemetry/labels';
import { curationMetrics, modelCallMetrics } from '../../io/telemetry/metrics';

/** Where a worker's model calls go (llm workers); other workers have no replica. */
export interface ActivityMetricsTarget {
  pool: string;
  replica: string;
}

interface CallUsageLike {
  usage?: { promptTokens?: number; completionTokens?: number };
}

/** The resample try a model-call input carries (plan try or execution try; 1 = first). */
function resampleTry(input: unknown): number {
  const i = (input ?? {}) as { planTry?: unknown; try?: unknown };
  const t = typeof i.planTry === 'number' ? i.planTry : typeof i.try === 'number' ? i.try : 1;
  return t;
}

/** Failures of the engine call itself (activities/llm.ts toActivityFailure), not of the code around it. */
const engineFailureTypes: readonly string[] = [ErrorType.ModelCall, ErrorType.ModelCallRetryable];

/**
 * Records the figures of each activity attempt a worker runs: model calls (duration, tokens,
 * errors by kind, retries, resamples) by pool, replica and role, and curated traces by outcome.
 * An interceptor, so the activities themselves stay free of telemetry.
 */
export class ActivityMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly target: ActivityMetricsTarget | undefined,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    const type = this.ctx.info.activityType;
    const role = modelCallRole(type);
    if (type === 'curateTrace') {
      const summary = (await next(input)) as { status?: string; reused?: boolean };
      if (!summary.reused && summary.status) curationMetrics.traces.inc({ outcome: summary.status });
      return summary;
    }
    if (!role || !this.target) return next(input);
    const labels = { pool: this.target.pool, replica: this.target.replica, role };
    if (this.ctx.info.attempt > 1) modelCallMetrics.retried.inc(labels);
    if (resampleTry(input.args[0]) > 1) modelCallMetrics.resampled.inc(labels);
    const started = performance.now();
    try {
      const result = (await next(input)) as CallUsageLike;
      modelCallMetrics.seconds.observe({ ...labels, outcome: 'ok' }, (performance.now() - started) / 1000);
      const usage = result?.usage;
      if (usage?.completionTokens !== undefined)
        modelCallMetrics.completionTokens.observe(labels, usage.completionTokens);
      if (usage?.promptTokens) modelCallMetrics.promptTokens.inc(labels, usage.promptTokens);
      return result;
    } catch (err) {
      modelCallMetrics.seconds.observe({ ...labels, outcome: 'error' }, (performance.now() - started) / 1000);
      if (this.ctx.cancellationSignal.aborted)
        modelCallMetrics.engineErrors.inc({ ...labels, kind: 'cancelled' });
      else if (err instanceof ApplicationFailure && engineFailureTypes.includes(err.type ?? ''))
        modelCallMetrics.engineErrors.inc({ ...labels, kind: engineErrorKind(err.message) });
      throw err;
    }
  }
}
