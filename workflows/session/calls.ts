import type { SessionSettings } from '../../config/schema/session';
import { callSampling, executeSummary, planSummary } from '../../core/session/calls';
import { executorDiscard, plannerDiscard, plannerTries, type SessionLoop } from '../../core/session/policies';
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
import { callPriority, callRoleOf, type RunPriority } from '../../core/priority/mapping';
import { modelCalls } from '../model-calls';
import type { StickyRouter } from '../routing';

/*
 * The two model calls of a round, each tried again as the session's loop policy says
 * (core/session/policies: over-long replies resampled, planner replies its reader asks again
 * for): every try is recorded as a CallRecord, the replaced ones marked discarded.
 */

/** What every model call of a round shares. */
interface CallSpec {
  settings: SessionSettings;
  loop: SessionLoop;
  router: StickyRouter;
  phase: number;
  prompt: CallPromptText;
  /** Long texts in and out by reference (absent: all inline). */
  limits?: CallTextLimits | undefined;
  /** The run's priority: each call's Temporal Priority follows from it and the call's role. */
  priority?: RunPriority | undefined;
}

/** One executor of a round. */
export interface ExecutorCallSpec extends CallSpec {
  /** The prompt p.k it executes (1-based). */
  k: number;
  /** Started from the streamed plan before the plan finished. */
  streamed: boolean;
  /** Runs the call when an executor slot is free (absent: at once). */
  slot?: <T>(run: () => Promise<T>) => Promise<T>;
  /** Rendered by the activity after `prompt` (a plan held by reference). */
  tail?: ExecutorTail | undefined;
}

/** The planner of a round. */
export interface PlannerCallSpec extends CallSpec {
  /** The prompt ends in the forced final answer's opening. */
  forced: boolean;
  /** Stream the plan and signal each closed prompt (streaming dispatch). */
  streaming: boolean;
  /** Told each try's number before it starts (streamed executors are keyed by it). */
  onTry?: (planTry: number) => void;
}

/** An executor's kept reply and every call it took (discarded tries first). */
export interface ExecutorOutcome {
  result: ExecuteCallResult;
  calls: CallRecord<SessionText>[];
}

/** Runs executor k of a phase on the router's queue, sampling again as the loop says. */
export async function runExecutor(spec: ExecutorCallSpec): Promise<ExecutorOutcome> {
  const { settings, loop, router, phase, k, prompt, tail } = spec;
  const slot = spec.slot ?? ((run) => run());
  const calls: CallRecord<SessionText>[] = [];
  for (let t = 1; ; t++) {
    let queueUsed = '';
    const result = await slot(() =>
      router.call((queue, sts) => {
        queueUsed = queue;
        const priority = callPriority(spec.priority, callRoleOf({ try: t, streamed: spec.streamed }));
        return modelCalls(settings, queue, sts, executeSummary(phase, k, t), priority).sprintExecute({
          prompt,
          ...(tail ? { tail } : {}),
          phase,
          k,
          stop: [...loop.stops.executor],
          replies: loop.replies,
          ...spec.limits,
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
      ...(spec.streamed ? { streamed: true } : {}),
    };
    calls.push(record);
    const discarded = executorDiscard(loop, settings.resample, {
      attempt: t,
      completionTokens: result.usage.completionTokens,
    });
    if (discarded === undefined) return { result, calls };
    record.discarded = discarded;
  }
}

/** A round's kept plan reply, every planner call it took, and which try was kept (1-based). */
export interface PlannerOutcome {
  result: PlanCallResult;
  calls: CallRecord<SessionText>[];
  keptTry: number;
}

/** Runs the planner of a phase, asking again as the loop says (the last try keeps whatever came). */
export async function runPlanner(spec: PlannerCallSpec): Promise<PlannerOutcome> {
  const { settings, loop, router, phase, prompt, forced } = spec;
  const tries = plannerTries(loop, settings.resample, forced);
  const calls: CallRecord<SessionText>[] = [];
  for (let t = 1; ; t++) {
    spec.onTry?.(t);
    let queueUsed = '';
    const result = await router.call((queue, sts) => {
      queueUsed = queue;
      const priority = callPriority(spec.priority, callRoleOf({ try: t }));
      return modelCalls(settings, queue, sts, planSummary(phase, forced, t), priority).sprintPlan({
        prompt,
        phase,
        forcedFinal: forced,
        stop: [...loop.stops.planner],
        ...(settings.maxPromptsPerRound !== undefined ? { maxPrompts: settings.maxPromptsPerRound } : {}),
        planTry: t,
        streamSignals: spec.streaming,
        replies: loop.replies,
        lastTry: t >= tries,
        ...spec.limits,
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
    const discarded = plannerDiscard(loop, settings.resample, {
      attempt: t,
      forced,
      completionTokens: result.usage.completionTokens,
      reading: result,
    });
    if (discarded === undefined) return { result, calls, keptTry: t };
    record.discarded = discarded;
  }
}
