import { dependencyEdges, inStartOrder, type TimedCall } from './call-gaps';

/*
 * Where the time between dependent calls goes (issue 16), from two clocks on one machine: the
 * engine's request log (when each HTTP call arrived and ended) and the workflow history (when the
 * server recorded each activity and workflow task). Each dependent-call gap splits into five
 * consecutive segments:
 *
 *   engine end of the dependency -> its ActivityTaskCompleted        activity completion
 *   -> WorkflowTaskStarted of the next workflow task                 to workflow task
 *   -> WorkflowTaskCompleted                                         workflow task
 *   -> ActivityTaskStarted of the dependent call                     activity dispatch
 *   -> the dependent call reaches the engine                         activity to engine
 */

/** The history events the profile needs, reduced to their time and the activity they belong to. */
export type HistoryPoint =
  | { event: 'activityScheduled'; at: number; activity: number; call: TimedCall['kind'] }
  | { event: 'activityStarted' | 'activityCompleted'; at: number; activity: number }
  | { event: 'workflowTaskScheduled' | 'workflowTaskStarted' | 'workflowTaskCompleted'; at: number };

export const GAP_SEGMENTS = [
  'activity completion',
  'to workflow task',
  'workflow task',
  'activity dispatch',
  'activity to engine',
] as const;
export type GapSegment = (typeof GAP_SEGMENTS)[number];

/** Per edge kind, per segment: one duration (ms) per dependent call. */
export type GapProfile = Record<'planToExecute' | 'toPlan', Record<GapSegment, number[]>>;

interface ActivityTimes {
  call: TimedCall['kind'];
  started?: number;
  completed?: number;
}

function emptySegments(): Record<GapSegment, number[]> {
  return Object.fromEntries(GAP_SEGMENTS.map((s) => [s, [] as number[]])) as Record<GapSegment, number[]>;
}

/** Model-call activities of a history, per kind, in the order they started. */
function activitiesOf(history: readonly HistoryPoint[]): Record<TimedCall['kind'], ActivityTimes[]> {
  const byId = new Map<number, ActivityTimes>();
  for (const h of history) {
    if (h.event === 'activityScheduled') byId.set(h.activity, { call: h.call });
    else if (h.event === 'activityStarted' || h.event === 'activityCompleted') {
      const a = byId.get(h.activity);
      if (!a) throw new Error(`history: activity ${h.activity} ${h.event} before it was scheduled`);
      if (h.event === 'activityStarted') a.started = h.at;
      else a.completed = h.at;
    }
  }
  const done = [...byId.values()].filter((a) => a.started !== undefined && a.completed !== undefined);
  const ofKind = (k: TimedCall['kind']) =>
    done.filter((a) => a.call === k).sort((x, y) => x.started! - y.started!);
  return { plan: ofKind('plan'), execute: ofKind('execute') };
}

/**
 * The profile of one session: engine calls are paired with the model-call activities of the same
 * kind in start order (the bench retries nothing, so the counts match; they must).
 */
export function gapProfile(calls: readonly TimedCall[], history: readonly HistoryPoint[]): GapProfile {
  const ordered = inStartOrder(calls);
  const acts = activitiesOf(history);
  const seen = { plan: 0, execute: 0 };
  const paired = ordered.map((c) => {
    const a = acts[c.kind][seen[c.kind]++];
    if (!a) throw new Error(`history has fewer ${c.kind} activities than the engine saw calls`);
    return { call: c, activity: a };
  });
  if (seen.plan !== acts.plan.length || seen.execute !== acts.execute.length)
    throw new Error(
      `engine saw ${seen.plan} plan / ${seen.execute} execute calls, history has ${acts.plan.length} / ${acts.execute.length}`,
    );
  const tasks = workflowTasks(history);
  const profile: GapProfile = { planToExecute: emptySegments(), toPlan: emptySegments() };
  for (const e of dependencyEdges(ordered)) {
    const from = paired[e.from]!;
    const to = paired[e.to]!;
    const completed = from.activity.completed!;
    const task = tasks.find((t) => t.scheduled >= completed);
    if (!task) throw new Error(`history: no workflow task after the activity completed at ${completed}`);
    const seg = profile[e.kind];
    seg['activity completion'].push(completed - from.call.endedAt);
    seg['to workflow task'].push(task.started - completed);
    seg['workflow task'].push(task.completed - task.started);
    seg['activity dispatch'].push(to.activity.started! - task.completed);
    seg['activity to engine'].push(to.call.startedAt - to.activity.started!);
  }
  return profile;
}

interface WorkflowTaskTimes {
  scheduled: number;
  started: number;
  completed: number;
}

/** Completed workflow tasks in history order (a failed or timed-out one is skipped). */
function workflowTasks(history: readonly HistoryPoint[]): WorkflowTaskTimes[] {
  const tasks: WorkflowTaskTimes[] = [];
  let scheduled: number | undefined;
  let started: number | undefined;
  for (const h of history) {
    if (h.event === 'workflowTaskScheduled') {
      scheduled = h.at;
      started = undefined;
    } else if (h.event === 'workflowTaskStarted') started = h.at;
    else if (h.event === 'workflowTaskCompleted' && scheduled !== undefined && started !== undefined) {
      tasks.push({ scheduled, started, completed: h.at });
      scheduled = started = undefined;
    }
  }
  return tasks;
}
