import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import type { PoolRoute } from '../../config/queues';
import { fnv1a, initialRoute, isScheduleToStartTimeout, StickyRouter } from '../../workflows/routing';

const route: PoolRoute = {
  pool: 'gpu',
  model: 'm',
  sharedQueue: 'sprint-llm-gpu',
  replicas: [
    { name: 'r0', taskQueue: 'q-r0' },
    { name: 'r1', taskQueue: 'q-r1' },
    { name: 'r2', taskQueue: 'q-r2' },
  ],
};

function pickupTimeout(): ActivityFailure {
  return new ActivityFailure(
    'activity timed out',
    'sprintExecute',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    undefined,
    new TimeoutFailure('not started', undefined, TimeoutType.SCHEDULE_TO_START),
  );
}

describe('sticky routing with failover', () => {
  it('picks a replica deterministically from the workflow id and spreads sessions', () => {
    expect(initialRoute(route, 'session-a')).toEqual(initialRoute(route, 'session-a'));
    const used = new Set(Array.from({ length: 60 }, (_, i) => initialRoute(route, `s-${i}`).replica));
    expect(used).toEqual(new Set(['r0', 'r1', 'r2']));
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(initialRoute({ ...route, replicas: [] }, 'x')).toEqual({
      queue: 'sprint-llm-gpu',
      failedOver: false,
    });
  });

  it('sends sticky calls with a pickup timeout, shared-queue calls without', async () => {
    const router = new StickyRouter(route, 'k', { stickyScheduleToStartMs: 5000 });
    const seen: [string, number | undefined][] = [];
    await router.call(async (q, t) => {
      seen.push([q, t]);
      return 1;
    });
    expect(seen).toEqual([[router.state.queue, 5000]]);
    expect(router.state.queue).toMatch(/^q-r\d$/);
  });

  it('moves to the shared queue on a schedule-to-start timeout and stays there', async () => {
    const failovers: string[] = [];
    const router = new StickyRouter(route, 'k', { stickyScheduleToStartMs: 5000 }, undefined, (from, to) =>
      failovers.push(`${from}->${to}`),
    );
    const sticky = router.state.queue;
    const seen: [string, number | undefined][] = [];
    const result = await router.call(async (q, t) => {
      seen.push([q, t]);
      if (q === sticky) throw pickupTimeout();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toEqual([
      [sticky, 5000],
      ['sprint-llm-gpu', undefined],
    ]);
    expect(router.state).toMatchObject({ queue: 'sprint-llm-gpu', failedOver: true });
    expect(failovers).toEqual([`${sticky}->sprint-llm-gpu`]);
    // Later calls go straight to the shared queue (state carried across continue-as-new too).
    const later = new StickyRouter(route, 'k', { stickyScheduleToStartMs: 5000 }, router.state);
    const q2: string[] = [];
    await later.call(async (q) => q2.push(q));
    expect(q2).toEqual(['sprint-llm-gpu']);
  });

  it('passes other failures through unchanged', async () => {
    const router = new StickyRouter(route, 'k', { stickyScheduleToStartMs: 5000 });
    const err = new ActivityFailure(
      'x',
      'a',
      '1',
      RetryState.MAXIMUM_ATTEMPTS_REACHED,
      undefined,
      ApplicationFailure.create({ message: 'boom' }),
    );
    await expect(router.call(() => Promise.reject(err))).rejects.toBe(err);
    expect(router.state.failedOver).toBe(false);
    expect(isScheduleToStartTimeout(pickupTimeout())).toBe(true);
    expect(isScheduleToStartTimeout(new TimeoutFailure('t', undefined, TimeoutType.HEARTBEAT))).toBe(false);
  });

  it('bounds the wait on the shared queue and fails for good naming the queue and fingerprint', async () => {
    const shared: PoolRoute = { ...route, replicas: [], fingerprint: '0123456789ab' };
    const router = new StickyRouter(shared, 'k', { stickyScheduleToStartMs: 5000, pickupTimeoutMs: 90_000 });
    const seen: [string, number | undefined][] = [];
    const failure = await router
      .call(async (q, t) => {
        seen.push([q, t]);
        throw pickupTimeout();
      })
      .catch((e: unknown) => e);
    expect(seen).toEqual([['sprint-llm-gpu', 90_000]]);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'NoWorkerPickedUp', nonRetryable: true });
    expect((failure as Error).message).toBe(
      'a model call of pool gpu waited 90 s (session.pickupTimeoutMs) on task queue sprint-llm-gpu and no ' +
        'worker took it: start a worker with config fingerprint 0123456789ab (sprint worker llm) on it, or ' +
        'raise session.pickupTimeoutMs if the pool is only backed up',
    );
    // A sticky call that times out moves on and gets the same bound there.
    const sticky = new StickyRouter(route, 'k', { stickyScheduleToStartMs: 5000, pickupTimeoutMs: 90_000 });
    const queues: [string, number | undefined][] = [];
    await sticky.call(async (q, t) => {
      queues.push([q, t]);
      if (t === 5000) throw pickupTimeout();
      return 1;
    });
    expect(queues[1]).toEqual(['sprint-llm-gpu', 90_000]);
  });

  it('reports a first attempt that waited 30 s or more for a worker, not a retried one', async () => {
    const problems: string[] = [];
    const shared: PoolRoute = { ...route, replicas: [] };
    const router = new StickyRouter(
      shared,
      'k',
      { stickyScheduleToStartMs: 5000 },
      undefined,
      undefined,
      (p) => problems.push(p),
    );
    const call = (startedIn: number, attempt: number) =>
      router.call(async () => ({ startedAt: Date.now() + startedIn, attempt }));
    await call(29_000, 1);
    await call(45_000, 2);
    expect(problems).toEqual([]);
    await call(45_000, 1);
    expect(problems).toEqual([
      'a model call of pool gpu waited 45 s on task queue sprint-llm-gpu before a worker took it ' +
        '(no worker polled it, or the pool was backed up)',
    ]);
  });
});
