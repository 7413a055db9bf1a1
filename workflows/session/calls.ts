import type { SessionSettings } from '../../config/schema/session';
import {
  callSampling,
  EXECUTOR_STOPS,
  executeSummary,
  planSummary,
  plannerStops,
  resampledReason,
} from '../../core/session/calls';
import {
  callTimingOf,
  type CallRecord,
  type ExecuteCallResult,
  type PlanCallResult,
} from '../../core/session-types';
import { modelCalls } from '../model-calls';
import type { StickyRouter } from '../routing';

/*
 * The two model calls of a round, each with its optional resampling of over-long replies
 * (session.resample): every try is recorded as a CallRecord, the replaced ones marked discarded.
 */

/** An executor's kept reply and every call it took (discarded tries first). */
export interface ExecutorOutcome {
  result: ExecuteCallResult;
  calls: CallRecord[];
}

/** Runs executor k of a phase on the router's queue, resampling while too long (if enabled). */
export async function runExecutor(
  settings: SessionSettings,
  router: StickyRouter,
  phase: number,
  k: number,
  prompt: string,
  streamed: boolean,
): Promise<ExecutorOutcome> {
  const tries = settings.resample.enabled ? settings.resample.maxTries : 1;
  const calls: CallRecord[] = [];
  for (let t = 1; ; t++) {
    let queueUsed = '';
    const result = await router.call((queue, sts) => {
      queueUsed = queue;
      return modelCalls(settings, queue, sts, executeSummary(phase, k, t)).sprintExecute({
        prompt,
        phase,
        k,
        stop: [...EXECUTOR_STOPS],
        ...callSampling(settings, phase, k, t),
      });
    });
    const record: CallRecord = {
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
  calls: CallRecord[];
  keptTry: number;
}

/**
 * Runs the planner of a phase, resampling while too long (not for the forced answer, nor once it
 * answers). `onTry` is told each try's number before it starts (streamed executors are keyed by it).
 */
export async function runPlanner(
  settings: SessionSettings,
  router: StickyRouter,
  phase: number,
  prompt: string,
  forced: boolean,
  streaming: boolean,
  onTry: (planTry: number) => void,
): Promise<PlannerOutcome> {
  const tries = settings.resample.enabled && !forced ? settings.resample.maxTries : 1;
  const calls: CallRecord[] = [];
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
        maxPrompts: settings.maxPromptsPerRound,
        planTry: t,
        streamSignals: streaming,
        ...callSampling(settings, phase, 0, t),
      });
    });
    const record: CallRecord = {
      kind: 'plan',
      phase,
      try: t,
      queue: queueUsed,
      raw: result.raw,
      usage: result.usage,
      ...callTimingOf(result),
    };
    calls.push(record);
    const tooLong = result.usage.completionTokens > settings.resample.planMaxTokens;
    if (!tooLong || t >= tries || result.plan.final !== undefined) return { result, calls, keptTry: t };
    record.discarded = resampledReason(
      'plan',
      result.usage.completionTokens,
      settings.resample.planMaxTokens,
    );
  }
}
