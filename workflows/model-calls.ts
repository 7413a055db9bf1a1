import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { SprintActivities } from '../activities/sprint';
import type { SessionSettings } from '../config/schema/session';
import { ErrorType } from '../core/errors';
import type { CallPriority } from '../core/priority/mapping';

/*
 * Activity options of the model calls of the session and sequential workflows, in one place so the
 * two cannot drift apart: the queue and schedule-to-start come from the sticky router
 * (workflows/routing.ts, queues from config/queues.ts), timeouts and retries from config `session`.
 */

/**
 * Options of one model call on `queue`. `scheduleToStartMs` is the router's bounded pickup time for a
 * sticky replica queue (undefined on a shared queue); `summary` names the call in the UI and history.
 */
export function modelCallOptions(
  settings: SessionSettings,
  queue: string,
  scheduleToStartMs: number | undefined,
  summary: string,
  priority?: CallPriority,
): ActivityOptions {
  return {
    taskQueue: queue,
    startToCloseTimeout: settings.callTimeoutMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    ...(scheduleToStartMs !== undefined ? { scheduleToStartTimeout: scheduleToStartMs } : {}),
    retry: {
      initialInterval: settings.retry.initialIntervalMs,
      backoffCoefficient: settings.retry.backoffCoefficient,
      maximumInterval: settings.retry.maximumIntervalMs,
      maximumAttempts: settings.retry.maximumAttempts,
      nonRetryableErrorTypes: [ErrorType.ModelCall],
    },
    summary,
    ...(priority ? { priority } : {}),
  };
}

/** The SPRINT model-call activities with those options (one proxy per call: the summary differs). */
export function modelCalls(
  settings: SessionSettings,
  queue: string,
  scheduleToStartMs: number | undefined,
  summary: string,
  priority?: CallPriority,
) {
  return proxyActivities<SprintActivities>(
    modelCallOptions(settings, queue, scheduleToStartMs, summary, priority),
  );
}
