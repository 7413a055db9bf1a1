/*
 * The two clocks the overhead bench reads, reduced to what core/session/gap-profile.ts needs: the
 * loopback engine's request log (which model call ran when) and a session's workflow history
 * (when the server recorded each activity and workflow task).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TimedCall } from '../core/session/call-gaps';
import type { HistoryPoint } from '../core/session/gap-profile';
import type { ModelRequestRecord } from '../test/helpers/loopback-model-server';

/** Planner calls stop at `</Plan_` / `</Final_answer>`, executors at `</execution_` (core/session/calls). */
function callKind(r: ModelRequestRecord): TimedCall['kind'] {
  const stop = Array.isArray(r.body.stop) ? (r.body.stop as unknown[]) : [r.body.stop];
  if (stop.some((s) => typeof s === 'string' && s.startsWith('</execution_'))) return 'execute';
  if (stop.some((s) => s === '</Final_answer>' || (typeof s === 'string' && s.startsWith('</Plan_'))))
    return 'plan';
  throw new Error(
    `engine request ${r.id}: stop ${JSON.stringify(r.body.stop)} is neither a plan nor an execution`,
  );
}

/** The engine's requests as timed calls; every one must have ended (the bench waits for its sessions). */
export function engineCalls(requests: readonly ModelRequestRecord[]): TimedCall[] {
  return requests.map((r) => {
    if (r.endedAt === undefined) throw new Error(`engine request ${r.id} never ended`);
    return { kind: callKind(r), startedAt: r.startedAt, endedAt: r.endedAt };
  });
}

function ms(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) throw new Error('history event without a time');
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/**
 * The session's history as HistoryPoints (model-call activities and workflow tasks only), and the
 * bytes of model-call inputs it holds (what the workflow encoded and the server stored).
 */
export async function historyPoints(
  handle: WorkflowHandle,
  activities: { plan: string; execute: string } = { plan: 'sprintPlan', execute: 'sprintExecute' },
): Promise<{ points: HistoryPoint[]; inputBytes: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const points: HistoryPoint[] = [];
  let inputBytes = 0;
  for (const e of events) {
    const at = ms(e.eventTime);
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name === activities.plan || name === activities.execute) {
      for (const p of e.activityTaskScheduledEventAttributes?.input?.payloads ?? [])
        inputBytes += p.data?.length ?? 0;
      points.push({
        event: 'activityScheduled',
        at,
        activity: Number(e.eventId),
        call: name === activities.plan ? 'plan' : 'execute',
      });
    } else if (e.activityTaskStartedEventAttributes)
      points.push({
        event: 'activityStarted',
        at,
        activity: Number(e.activityTaskStartedEventAttributes.scheduledEventId),
      });
    else if (e.activityTaskCompletedEventAttributes)
      points.push({
        event: 'activityCompleted',
        at,
        activity: Number(e.activityTaskCompletedEventAttributes.scheduledEventId),
      });
    else if (e.workflowTaskScheduledEventAttributes) points.push({ event: 'workflowTaskScheduled', at });
    else if (e.workflowTaskStartedEventAttributes) points.push({ event: 'workflowTaskStarted', at });
    else if (e.workflowTaskCompletedEventAttributes) points.push({ event: 'workflowTaskCompleted', at });
  }
  // Activities that are not model calls (artifact writes) are dropped with their start/complete events.
  const modelCalls = new Set(points.flatMap((p) => (p.event === 'activityScheduled' ? [p.activity] : [])));
  return { points: points.filter((p) => !('activity' in p) || modelCalls.has(p.activity)), inputBytes };
}
