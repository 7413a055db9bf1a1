import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import {
  configFingerprint,
  controlQueue,
  curationQueue,
  fingerprintOfIdentity,
  poolQueue,
  replicaQueue,
  trainingQueue,
  type SprintConfig,
} from '../config';
import {
  findStalls,
  queueKey,
  queueReport,
  STALL_THRESHOLD_MS,
  stallMessage,
  type QueuePollers,
  type QueueUse,
  type Stall,
  type TaskKind,
  type WaitingTask,
} from '../core/pollers';
import { connectClient } from './connection';
import { taskQueueType } from './queue-stats';
import type { WorkerRole } from './roles';

/*
 * Who polls the task queues a process depends on (DescribeTaskQueue), and which tasks of a run
 * wait on a queue nobody polls (DescribeWorkflowExecution): the Temporal side of core/pollers.ts.
 */

type WorkflowService = Connection['workflowService'];

export { STALL_THRESHOLD_MS } from '../core/pollers';

/** Every queue of a deployment, with the `sprint worker` arguments of the workers that poll it. */
export function deploymentQueues(config: SprintConfig): QueueUse[] {
  const queues: QueueUse[] = [
    { queue: controlQueue(config), kind: 'workflow', role: 'control' },
    { queue: curationQueue(config), kind: 'activity', role: 'curation' },
    { queue: trainingQueue(config), kind: 'activity', role: 'training' },
  ];
  for (const [pool, p] of Object.entries(config.models.pools)) {
    queues.push({ queue: poolQueue(config, pool), kind: 'activity', role: `llm --pool ${pool}`, pool });
    for (const r of p.replicas)
      queues.push({
        queue: replicaQueue(config, pool, r.name),
        kind: 'activity',
        role: `llm --pool ${pool} --replica ${r.name}`,
        pool,
      });
  }
  return queues;
}

/**
 * The queues a process sends tasks to: `serve` starts workflows on the control queue and its
 * sessions call the pools; control workers' workflows schedule activities on every other queue;
 * the activity-only roles send nothing.
 */
export function queuesSentTo(config: SprintConfig, role: WorkerRole | 'serve'): QueueUse[] {
  const all = deploymentQueues(config);
  if (role === 'serve') return all.filter((q) => q.kind === 'workflow' || q.role.startsWith('llm'));
  if (role === 'control' || role === 'all') return all.filter((q) => q.kind === 'activity');
  return [];
}

/** The identities polling a queue for one kind of task. */
export async function pollerIdentities(
  service: WorkflowService,
  namespace: string,
  queue: string,
  kind: TaskKind,
): Promise<string[]> {
  const res = await service.describeTaskQueue({
    namespace,
    taskQueue: { name: queue },
    taskQueueType: taskQueueType(kind),
  });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

/** The start lines of `sprint worker` or `sprint serve`: what it polls, and who polls what it sends to. */
export async function startReport(
  service: WorkflowService,
  config: SprintConfig,
  role: WorkerRole | 'serve',
  serves: readonly string[],
): Promise<string[]> {
  const known = new Map(deploymentQueues(config).map((q) => [q.queue, q]));
  const served: QueueUse[] = serves.map((queue) => known.get(queue) ?? { queue, kind: 'activity', role });
  const sendsTo: QueuePollers[] = [];
  for (const q of queuesSentTo(config, role)) {
    if (serves.includes(q.queue)) continue;
    const identities = await pollerIdentities(service, config.temporal.namespace, q.queue, q.kind);
    sendsTo.push({ ...q, identities });
  }
  return queueReport(served, sendsTo, configFingerprint(config));
}

const { PendingActivityState, PendingWorkflowTaskState } = temporal.api.enums.v1;

/** A timestamp as epoch ms (seconds arrive as a Long, which Number() cannot read). */
function epochMs(ts: Parameters<typeof optionalTsToMs>[0]): number | undefined {
  return optionalTsToMs(ts) || undefined;
}

type Description = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;

/** A run's tasks that no worker has taken yet (the workflow task, activities not started). */
export function waitingTasks(raw: Description): WaitingTask[] {
  const tasks: WaitingTask[] = [];
  const wft = raw.pendingWorkflowTask;
  const runQueue = raw.executionConfig?.taskQueue?.name;
  const wftAt = epochMs(wft?.scheduledTime);
  if (wft?.state === PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED && runQueue && wftAt)
    tasks.push({ queue: runQueue, kind: 'workflow', what: 'workflow task', scheduledAtMs: wftAt });
  for (const a of raw.pendingActivities ?? []) {
    const queue = a.activityOptions?.taskQueue?.name;
    const at = epochMs(a.scheduledTime);
    if (a.state !== PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED || !queue || !at) continue;
    tasks.push({ queue, kind: 'activity', what: a.activityType?.name ?? 'activity', scheduledAtMs: at });
  }
  return tasks;
}

/**
 * The tasks of a run that have waited past `thresholdMs` on a queue nobody polls, each with the
 * line that reports it. The fingerprint named is `fingerprint` when the caller knows the run's
 * config, else the one of the workers polling the run's own queue (they scheduled its activities,
 * so the queues are theirs).
 */
export async function runStalls(
  service: WorkflowService,
  namespace: string,
  raw: Description,
  options: { nowMs?: number; thresholdMs?: number; fingerprint?: string } = {},
): Promise<{ stall: Stall; message: string }[]> {
  const tasks = waitingTasks(raw);
  if (!tasks.length) return [];
  const pollers = new Map<string, string[]>();
  const runQueue = raw.executionConfig?.taskQueue?.name;
  const toDescribe = new Map(tasks.map((t) => [queueKey(t.queue, t.kind), t]));
  if (runQueue)
    toDescribe.set(queueKey(runQueue, 'workflow'), { ...tasks[0]!, queue: runQueue, kind: 'workflow' });
  for (const [key, t] of toDescribe)
    pollers.set(key, await pollerIdentities(service, namespace, t.queue, t.kind));
  const runPollers = runQueue ? (pollers.get(queueKey(runQueue, 'workflow')) ?? []) : [];
  const fingerprint =
    options.fingerprint ?? runPollers.map(fingerprintOfIdentity).find((f) => f !== undefined);
  const stalls = findStalls(
    tasks,
    pollers,
    options.nowMs ?? Date.now(),
    options.thresholdMs ?? STALL_THRESHOLD_MS,
  );
  return stalls.map((stall) => ({ stall, message: stallMessage(stall, fingerprint) }));
}

/**
 * For a followed run: prints each stalled task once (on stderr through `print`), so a run whose
 * queue has no worker says so instead of waiting in silence.
 */
export function stallNotices(handle: WorkflowHandle, print: (line: string) => void): () => Promise<void> {
  const seen = new Set<string>();
  return async () => {
    const { raw } = await handle.describe();
    const found = await runStalls(handle.client.workflowService, handle.client.options.namespace, raw);
    for (const { stall, message } of found) {
      const key = `${stall.kind}:${stall.queue}:${stall.what}:${stall.scheduledAtMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      print(`  ! ${message}`);
    }
  };
}

/**
 * Logs the start lines of a process (see startReport), through `service` or a connection of its
 * own. A failed check is logged, never thrown: the report is advice, and the process serves its
 * queues either way.
 */
export async function logStartReport(
  config: SprintConfig,
  role: WorkerRole | 'serve',
  serves: readonly string[],
  log: (line: string) => void,
  service?: WorkflowService,
): Promise<void> {
  let own: Client | undefined;
  try {
    if (!service) own = await connectClient(config);
    for (const line of await startReport(service ?? own!.workflowService, config, role, serves)) log(line);
  } catch (err) {
    log(`could not check the pollers of the queues it sends to: ${(err as Error).message}`);
  } finally {
    await own?.connection.close();
  }
}

/**
 * The running workflows of this deployment (its control queue) with tasks stalled on a queue
 * nobody polls, for `sprint status`; at most `limit` runs are looked at, newest first. A task is
 * stalled once it has waited `thresholdMs` (default STALL_THRESHOLD_MS; tests pass a shorter one).
 */
export async function stalledRuns(
  client: Client,
  config: SprintConfig,
  { limit = 100, thresholdMs }: { limit?: number; thresholdMs?: number } = {},
): Promise<{ workflowId: string; messages: string[] }[]> {
  const fingerprint = configFingerprint(config);
  const query = `ExecutionStatus="Running" AND TaskQueue="${controlQueue(config)}"`;
  const found: { workflowId: string; messages: string[] }[] = [];
  let seen = 0;
  for await (const run of client.workflow.list({ query })) {
    if (++seen > limit) break;
    const { raw } = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    const stalls = await runStalls(client.workflowService, config.temporal.namespace, raw, {
      fingerprint,
      thresholdMs,
    });
    if (stalls.length) found.push({ workflowId: run.workflowId, messages: stalls.map((s) => s.message) });
  }
  return found;
}
