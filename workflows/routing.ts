import { ActivityFailure, ApplicationFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import type { PoolRoute } from '../config/queues';
import { ErrorType } from '../core/errors';
import { pickupTimeoutMessage, slowPickupProblem, STALL_THRESHOLD_MS } from '../core/pollers';

/*
 * Session routing (sticky replica with bounded failover).
 *
 * Rule: a session picks ONE replica of its pool, deterministically from its workflow id (FNV-1a hash
 * modulo the number of replicas), and sends its planner AND executor calls to that replica's queue,
 * so the engine's prefix cache holds the shared history. Each sticky call carries a
 * `scheduleToStartTimeout` (config `session.stickyScheduleToStartMs`): if no worker of that replica
 * picks the call up in time (its worker is gone, or hopelessly backed up), the call is re-issued on
 * the pool's shared queue, which every replica's worker polls, and the session remembers the
 * failover: every later call of the session goes to the shared queue (no repeated waits). The
 * failover is carried across continue-as-new. A pool with no named replicas (or one listed without
 * workers anywhere) just uses the shared queue. Worst case a call waits
 * stickyScheduleToStartMs longer than it would have; it is never lost or run twice (a
 * schedule-to-start timeout means no attempt started).
 *
 * On the shared queue a call waits at most `session.pickupTimeoutMs`: a queue no worker polls (a
 * client started with another config than the workers) would otherwise hold the session for ever
 * in silence. Past it the call fails for good with a message naming the queue and the config
 * fingerprint whose workers would take it (recorded in the session's problems).
 */

/** How long calls wait to be picked up (SessionSettings has both fields). */
export interface PickupLimits {
  /** On a sticky replica queue, before moving to the shared queue. */
  stickyScheduleToStartMs: number;
  /** On the shared queue, before the call fails (absent: no limit). */
  pickupTimeoutMs?: number;
  /** A first attempt that waited this long for a worker is a problem line (absent: STALL_THRESHOLD_MS). */
  slowPickupMs?: number;
}

export interface RouteState {
  /** The sticky replica, or undefined when the pool has none. */
  replica?: string;
  /** Queue calls go to now. */
  queue: string;
  /** True after a failover to the shared queue. */
  failedOver: boolean;
}

/** 32-bit FNV-1a: stable across runs and platforms, so replays and restarts pick the same replica. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function initialRoute(route: PoolRoute, key: string): RouteState {
  if (!route.replicas.length) return { queue: route.sharedQueue, failedOver: false };
  const r = route.replicas[fnv1a(key) % route.replicas.length]!;
  return { replica: r.name, queue: r.taskQueue, failedOver: false };
}

/** True when an activity failed because no worker picked it up within its schedule-to-start timeout. */
export function isScheduleToStartTimeout(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/**
 * Places calls for one session on one pool. `call(queue, scheduleToStartMs)` must start the
 * activity on that queue; sticky attempts get the bounded pickup time, shared-queue ones none.
 */
export class StickyRouter {
  state: RouteState;

  constructor(
    readonly route: PoolRoute,
    key: string,
    readonly limits: PickupLimits,
    saved?: RouteState,
    /** Called once when the router fails over (for the transcript). */
    private readonly onFailover?: (from: string, to: string) => void,
    /** Called with a problem line when a call waited `limits.slowPickupMs` or more for a worker. */
    private readonly onSlowPickup?: (problem: string) => void,
  ) {
    this.state = saved ?? initialRoute(route, key);
  }

  get sticky(): boolean {
    return this.state.queue !== this.route.sharedQueue;
  }

  async call<T>(fn: (queue: string, scheduleToStartMs: number | undefined) => Promise<T>): Promise<T> {
    if (!this.sticky) return this.callShared(fn);
    const queue = this.state.queue;
    try {
      return await fn(queue, this.limits.stickyScheduleToStartMs);
    } catch (err) {
      if (!isScheduleToStartTimeout(err)) throw err;
      if (this.state.queue === queue) {
        this.state = { ...this.state, queue: this.route.sharedQueue, failedOver: true };
        this.onFailover?.(queue, this.route.sharedQueue);
      }
      return this.callShared(fn);
    }
  }

  private async callShared<T>(
    fn: (queue: string, scheduleToStartMs: number | undefined) => Promise<T>,
  ): Promise<T> {
    const limitMs = this.limits.pickupTimeoutMs;
    const queue = this.route.sharedQueue;
    try {
      const scheduledAt = Date.now();
      const result = await fn(queue, limitMs);
      this.judgePickup(queue, scheduledAt, result);
      return result;
    } catch (err) {
      if (limitMs === undefined || !isScheduleToStartTimeout(err)) throw err;
      const what = `a model call of pool ${this.route.pool}`;
      throw ApplicationFailure.nonRetryable(
        pickupTimeoutMessage(what, queue, limitMs, this.route.fingerprint),
        ErrorType.NoWorkerPickedUp,
      );
    }
  }

  /**
   * A first attempt that started `slowPickupMs` (STALL_THRESHOLD_MS unless set) or more after it
   * was scheduled waited for a worker that long: said in the session's problems, so a slow session says why. (Workflow time
   * is when the call was scheduled at the latest; later attempts also waited out retries.)
   */
  private judgePickup(queue: string, scheduledAt: number, result: unknown): void {
    const timing = result as { startedAt?: unknown; attempt?: unknown } | undefined;
    if (!this.onSlowPickup || typeof timing?.startedAt !== 'number' || timing.attempt !== 1) return;
    const waitedMs = timing.startedAt - scheduledAt;
    if (waitedMs >= (this.limits.slowPickupMs ?? STALL_THRESHOLD_MS))
      this.onSlowPickup(slowPickupProblem(`a model call of pool ${this.route.pool}`, queue, waitedMs));
  }
}
