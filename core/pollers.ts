/*
 * Task queues nobody polls. Temporal never fails a task for want of a worker: a workflow or activity
 * task on a queue without pollers waits, silently, until one comes (or its schedule-to-start limit
 * ends the wait). These are the pure parts of saying so: which waits have gone on too long, and the
 * lines that name the queue and the config fingerprint of the workers that would take the task.
 * The Temporal calls that feed them are in workers/pollers.ts.
 */

export type TaskKind = 'workflow' | 'activity';

/**
 * How long a task may wait for a worker before it is reported: by the CLI following a run and
 * `sprint status` (a queue without pollers), and in a session's problems (any wait that long).
 */
export const STALL_THRESHOLD_MS = 30_000;

/** A queue a process polls or sends tasks to, with the role of the workers that poll it. */
export interface QueueUse {
  queue: string;
  kind: TaskKind;
  /** The worker role serving it, as `sprint worker` takes it ("llm --pool main"). */
  role: string;
  /** The model pool, for an llm queue. */
  pool?: string;
}

/** A queue and the identities of its pollers (DescribeTaskQueue), as found at one moment. */
export interface QueuePollers extends QueueUse {
  identities: string[];
}

/** A task of a run not yet taken by a worker. */
export interface WaitingTask {
  queue: string;
  kind: TaskKind;
  /** What waits: an activity type, or "workflow task". */
  what: string;
  /** When it was scheduled (epoch ms). */
  scheduledAtMs: number;
}

/** A task that has waited past the threshold on a queue that no worker polls. */
export interface Stall extends WaitingTask {
  waitedMs: number;
}

/** Key of a queue and kind (a name may be polled for workflow tasks and activity tasks separately). */
export function queueKey(queue: string, kind: TaskKind): string {
  return `${kind}:${queue}`;
}

/**
 * The waiting tasks that have waited at least `thresholdMs` on a queue with no pollers. A queue
 * missing from `pollers` was not described and is not judged (no stall is reported on a guess).
 */
export function findStalls(
  tasks: readonly WaitingTask[],
  pollers: ReadonlyMap<string, readonly string[]>,
  nowMs: number,
  thresholdMs: number,
): Stall[] {
  const stalls: Stall[] = [];
  for (const t of tasks) {
    const waitedMs = nowMs - t.scheduledAtMs;
    if (waitedMs < thresholdMs) continue;
    const polledBy = pollers.get(queueKey(t.queue, t.kind));
    if (polledBy === undefined || polledBy.length > 0) continue;
    stalls.push({ ...t, waitedMs });
  }
  return stalls;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * One line for a stall: the queue, how long, and who would serve it. `fingerprint` is the config
 * fingerprint of the deployment whose workers poll that queue (undefined when it cannot be known).
 */
export function stallMessage(stall: Stall, fingerprint: string | undefined): string {
  const who = fingerprint
    ? `a worker started with config fingerprint ${fingerprint} would take it`
    : 'which config serves it is not known here (`sprint status` with the config that started the run names it)';
  return (
    `${stall.what} has waited ${seconds(stall.waitedMs)} on task queue ${stall.queue}, which no worker ` +
    `polls: ${who}`
  );
}

/**
 * The start lines of a process: the queues it polls, then each queue it sends tasks to with its
 * pollers, so a process whose tasks nobody will take says so when it starts, not minutes later.
 */
export function queueReport(
  serves: readonly QueueUse[],
  sendsTo: readonly QueuePollers[],
  fingerprint: string,
): string[] {
  const lines = [
    serves.length
      ? `serves ${serves.map((q) => `${q.queue} (${q.kind})`).join(', ')} with config fingerprint ${fingerprint}`
      : `serves no task queue (config fingerprint ${fingerprint})`,
  ];
  if (!sendsTo.length) lines.push('sends tasks to no other queue');
  for (const q of sendsTo) {
    const n = q.identities.length;
    lines.push(
      n
        ? `sends ${q.kind} tasks to ${q.queue}: ${n} poller(s)`
        : `sends ${q.kind} tasks to ${q.queue}: NO pollers yet; its tasks wait until a worker with ` +
            `config fingerprint ${fingerprint} polls it (sprint worker ${q.role})`,
    );
  }
  return lines;
}

/**
 * The failure of a model call that no worker took within its pickup limit
 * (`session.pickupTimeoutMs`): the queue, the limit, and who would have served it.
 */
export function pickupTimeoutMessage(
  what: string,
  queue: string,
  limitMs: number,
  fingerprint: string | undefined,
): string {
  const who = fingerprint
    ? `start a worker with config fingerprint ${fingerprint} (sprint worker llm) on it`
    : 'start the llm workers of the config that started this run on it';
  return (
    `${what} waited ${seconds(limitMs)} (session.pickupTimeoutMs) on task queue ${queue} and no worker ` +
    `took it: ${who}, or raise session.pickupTimeoutMs if the pool is only backed up`
  );
}

/** A session problem: a model call that waited `waitedMs` for a worker before one took it. */
export function slowPickupProblem(what: string, queue: string, waitedMs: number): string {
  return (
    `${what} waited ${seconds(waitedMs)} on task queue ${queue} before a worker took it ` +
    `(no worker polled it, or the pool was backed up)`
  );
}
