import fc from 'fast-check';
import {
  findStalls,
  queueKey,
  queueReport,
  stallMessage,
  type TaskKind,
  type WaitingTask,
} from '../../core/pollers';

/* Which waits are reported as stalled, and what the reports name. */

const kind = fc.constantFrom<TaskKind>('workflow', 'activity');
const task = fc.record({
  queue: fc.constantFrom('q-a', 'q-b', 'q-c'),
  kind,
  what: fc.constantFrom('sprintPlan', 'workflow task'),
  scheduledAtMs: fc.integer({ min: 0, max: 100_000 }),
});

describe('findStalls', () => {
  it('reports exactly the tasks past the threshold on a described queue with no pollers', () => {
    fc.assert(
      fc.property(
        fc.array(task, { maxLength: 12 }),
        fc.dictionary(
          fc.constantFrom(
            ...['q-a', 'q-b', 'q-c'].flatMap((q) => [queueKey(q, 'workflow'), queueKey(q, 'activity')]),
          ),
          fc.array(fc.constantFrom('sprint:aaaaaaaaaaaa/1@h', 'other'), { maxLength: 2 }),
        ),
        fc.integer({ min: 0, max: 100_000 }),
        (tasks: WaitingTask[], polled, threshold) => {
          const pollers = new Map(Object.entries(polled));
          const now = 100_000;
          const stalls = findStalls(tasks, pollers, now, threshold);
          const expected = tasks.filter(
            (t) => now - t.scheduledAtMs >= threshold && pollers.get(queueKey(t.queue, t.kind))?.length === 0,
          );
          expect(stalls.map(({ waitedMs, ...t }) => ({ t, waitedMs }))).toEqual(
            expected.map((t) => ({ t, waitedMs: now - t.scheduledAtMs })),
          );
        },
      ),
    );
  });

  it('judges workflow and activity pollers of one queue name apart', () => {
    const t: WaitingTask = { queue: 'q', kind: 'activity', what: 'sprintPlan', scheduledAtMs: 0 };
    const pollers = new Map([
      [queueKey('q', 'workflow'), ['sprint:aaaaaaaaaaaa/1@h']],
      [queueKey('q', 'activity'), []],
    ]);
    expect(findStalls([t], pollers, 60_000, 30_000)).toHaveLength(1);
    pollers.set(queueKey('q', 'activity'), ['sprint:aaaaaaaaaaaa/2@h']);
    expect(findStalls([t], pollers, 60_000, 30_000)).toHaveLength(0);
  });
});

describe('messages', () => {
  it('a stall names the queue, the wait and the fingerprint that would serve it', () => {
    const line = stallMessage(
      {
        queue: 'x.sprint-llm-main',
        kind: 'activity',
        what: 'sprintPlan',
        scheduledAtMs: 0,
        waitedMs: 61_400,
      },
      '0123456789ab',
    );
    expect(line).toBe(
      'sprintPlan has waited 61 s on task queue x.sprint-llm-main, which no worker polls: ' +
        'a worker started with config fingerprint 0123456789ab would take it',
    );
  });

  it('the start report marks each queue sent to with its pollers, and the empty ones with the fix', () => {
    const lines = queueReport(
      [{ queue: 'p.sprint-control', kind: 'workflow', role: 'control' }],
      [
        { queue: 'p.sprint-curation', kind: 'activity', role: 'curation', identities: ['a', 'b'] },
        { queue: 'p.sprint-llm-main', kind: 'activity', role: 'llm --pool main', identities: [] },
      ],
      'fff000fff000',
    );
    expect(lines).toEqual([
      'serves p.sprint-control (workflow) with config fingerprint fff000fff000',
      'sends activity tasks to p.sprint-curation: 2 poller(s)',
      'sends activity tasks to p.sprint-llm-main: NO pollers yet; its tasks wait until a worker with ' +
        'config fingerprint fff000fff000 polls it (sprint worker llm --pool main)',
    ]);
    expect(queueReport([], [], 'fff000fff000')).toEqual([
      'serves no task queue (config fingerprint fff000fff000)',
      'sends tasks to no other queue',
    ]);
  });
});
