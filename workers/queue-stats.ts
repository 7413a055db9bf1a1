import type { WorkflowService } from '@temporalio/client';
import type { TaskKind } from '../core/pollers';
import { temporal } from '@temporalio/proto';

/** A queue's pollers and backlog, as the server describes it (DescribeTaskQueue with stats). */
export interface QueueState {
  identities: string[];
  /** Tasks waiting for a poller (the server's approximation); undefined when it reports none. */
  backlog?: number;
  /** Age of the oldest waiting task, seconds. */
  backlogAgeS?: number;
}

/** The server's queue type for a kind of task (a queue name holds one of each). */
export const taskQueueType = (kind: TaskKind) =>
  kind === 'workflow'
    ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
    : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

export async function describeQueue(
  service: WorkflowService,
  namespace: string,
  queue: string,
  kind: TaskKind,
): Promise<QueueState> {
  const res = await service.describeTaskQueue({
    namespace,
    taskQueue: { name: queue },
    taskQueueType: taskQueueType(kind),
    reportStats: true,
  });
  const stats = res.stats;
  const age = stats?.approximateBacklogAge;
  return {
    identities: (res.pollers ?? []).map((p) => p.identity ?? ''),
    ...(stats ? { backlog: Number(stats.approximateBacklogCount ?? 0) } : {}),
    ...(age ? { backlogAgeS: Number(age.seconds ?? 0) + (age.nanos ?? 0) / 1e9 } : {}),
  };
}

/** ", backlog 3 (oldest 12 s)" for a status line; empty when the server reports no stats. */
export function backlogText(state: QueueState): string {
  if (state.backlog === undefined) return '';
  const age = state.backlog > 0 && state.backlogAgeS ? ` (oldest ${Math.round(state.backlogAgeS)} s)` : '';
  return `, backlog ${state.backlog}${age}`;
}
