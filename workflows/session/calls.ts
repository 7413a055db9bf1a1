import type { SessionSettings } from '../../config/schema/session';
import {
  callSampling,
  executeSummary,
  executorStops,
  planSummary,
  plannerStops,
  resampledReason,
} from '../../core/session/calls';
import {
  callTimingOf,
  type CallPromptText,
  type CallRecord,
  type CallTextLimits,
  type ExecuteCallResult,
  type ExecutorTail,
  type PlanCallResult,
  type SessionText,
} from '../../core/session-types';
import { modelCalls } from '../model-calls';
import type { StickyRouter } from '../routing';

/*
 * The two model calls of a round, each with its resampling of over-long replies (session.resample)
 * and, under the released reply handling, the retry of a planner reply without tags: every try is
 * recorded as a CallRecord, the replaced ones marked discarded.
 */

/** An executor's kept reply and every call it took (discarded tries first). */
export interface ExecutorOutcome {
  result: ExecuteCallResult;
  calls: CallRecord<SessionText>[];
}

/** Runs executor k of a phase on the router's queue, resampling while too long (if enabled); `slot` bounds how many run at once. */
export async function runExecutor(
  settings: SessionSettings,
  router: StickyRouter,
  phase: number,
  k: number,
  prompt: CallPromptText,
  streamed: boolean,
  slot: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
  limits: CallTextLimits = {},
  tail?: ExecutorTail,
): Promise<ExecutorOutcome> {
  const tries = settings.resample.enabled ? settings.resample.maxTries : 1;
  const calls: CallRecord<SessionText>[] = [];
  for (let t = 1; ; t++) {
    let queueUsed = '';
    const result = await slot(() =>
      router.call((queue, sts) => {
        queueUsed = queue;
        return modelCalls(settings, queue, sts, executeSummary(phase, k, t)).sprintExecute({
          prompt,
          ...(tail ? { tail } : {}),
          phase,
          k,
          stop: executorStops(settings.releasedStops),
          ...(settings.replyHandling === 'released' ? { replies: 'released' as const } : {}),
          ...limits,
          ...callSampling(settings, phase, k, t),
        });
      }),
    );
    const record: CallRecord<SessionText> = {
      kind: 'execute',
      phase,
      k,
      try: t,
      queue: queueUsed,
      raw: result.raw,
      usage: result.usage,
      ...callTimingOf(result),
      ...(streamed ? { streamed: true } : {}),
    };
    calls.push(record);
    const tooLong = result.usage.completionTokens > settings.resample.executionMaxTokens;
    if (!settings.resample.enabled || !tooLong || t >= tries) return { result, calls };
    record.discarded = resampledReason(
      'execution',
      result.usage.completionTokens,
      settings.resample.executionMaxTokens,
    );
  }
}

/** A round's kept plan reply, every planner call it took, and which try was kept (1-based). */
export interface PlannerOutcome {
  result: PlanCallResult;
  calls: CallRecord<SessionText>[];
  keptTry: number;
}

/**
 * Runs the planner of a phase, resampling while too long (final answers and the forced answer only
 * with `resample.includeFinal`) and, under the released handling, retrying a reply without tags
 * (the last try keeps whatever came). `onTry` is told each try's number before it starts
 * (streamed executors are keyed by it).
 */
export async function runPlanner(
  settings: SessionSettings,
  router: StickyRouter,
  phase: number,
  prompt: CallPromptText,
  forced: boolean,
  streaming: boolean,
  onTry: (planTry: number) => void,
  limits: CallTextLimits = {},
): Promise<PlannerOutcome> {
  const released = settings.replyHandling === 'released';
  const resampleThis = settings.resample.enabled && (!forced || settings.resample.includeFinal);
  const tries = resampleThis || released ? settings.resample.maxTries : 1;
  const calls: CallRecord<SessionText>[] = [];
  for (let t = 1; ; t++) {
    onTry(t);
    let queueUsed = '';
    const result = await router.call((queue, sts) => {
      queueUsed = queue;
      return modelCalls(settings, queue, sts, planSummary(phase, forced, t)).sprintPlan({
        prompt,
        phase,
        forcedFinal: forced,
        stop: plannerStops(settings.releasedStops),
        ...(settings.maxPromptsPerRound !== undefined ? { maxPrompts: settings.maxPromptsPerRound } : {}),
        planTry: t,
        streamSignals: streaming,
        ...(released ? { replies: 'released' as const, lastTry: t >= tries } : {}),
        ...limits,
        ...callSampling(settings, phase, 0, t),
      });
    });
    const record: CallRecord<SessionText> = {
      kind: 'plan',
      phase,
      try: t,
      queue: queueUsed,
      raw: result.raw,
      usage: result.usage,
      ...callTimingOf(result),
    };
    calls.push(record);
    // The released loop checks the length first, then the tags.
    const answered = result.plan.final !== undefined && result.retry === undefined;
    const tooLong =
      resampleThis &&
      result.usage.completionTokens > settings.resample.planMaxTokens &&
      (!answered || settings.resample.includeFinal);
    if (t >= tries || (!tooLong && result.retry === undefined)) return { result, calls, keptTry: t };
    record.discarded = tooLong
      ? resampledReason('plan', result.usage.completionTokens, settings.resample.planMaxTokens)
      : result.retry;
  }
}
