import fc from 'fast-check';
import { dependentGaps, quantile, type TimedCall } from '../../core/session/call-gaps';
import { gapProfile, GAP_SEGMENTS, type HistoryPoint } from '../../core/session/gap-profile';

/*
 * The dependent-call gap (issue 16) on timelines built from a known round structure and known gaps:
 * what goes in must come back out, per edge kind.
 */

interface Round {
  planMs: number;
  /** Per executor: its gap after the plan ended, and its duration. */
  executors: { gap: number; ms: number }[];
  /** Gap between the round's last executor (or the plan) ending and the next plan starting. */
  nextGap: number;
}

/** Lays the rounds out on a clock starting at t0; the final plan (no executors) closes the session. */
function timeline(rounds: Round[], finalMs: number, t0 = 1_000): TimedCall[] {
  const calls: TimedCall[] = [];
  let t = t0;
  for (const r of rounds) {
    calls.push({ kind: 'plan', startedAt: t, endedAt: t + r.planMs });
    const planEnd = t + r.planMs;
    let last = planEnd;
    for (const e of r.executors) {
      calls.push({ kind: 'execute', startedAt: planEnd + e.gap, endedAt: planEnd + e.gap + e.ms });
      last = Math.max(last, planEnd + e.gap + e.ms);
    }
    t = last + r.nextGap;
  }
  calls.push({ kind: 'plan', startedAt: t, endedAt: t + finalMs });
  return calls;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('dependentGaps', () => {
  it('measures executors from their plan and the next plan from the last executor to end', () => {
    const calls = timeline(
      [
        {
          planMs: 100,
          executors: [
            { gap: 5, ms: 50 },
            { gap: 8, ms: 200 },
          ],
          nextGap: 12,
        },
        { planMs: 80, executors: [{ gap: 3, ms: 40 }], nextGap: 7 },
      ],
      30,
    );
    const g = dependentGaps(calls);
    expect(sorted(g.planToExecute)).toEqual([3, 5, 8]);
    expect(g.toPlan).toEqual([12, 7]);
  });

  it('a plan without executors is the dependency of the next plan', () => {
    const g = dependentGaps([
      { kind: 'plan', startedAt: 0, endedAt: 10 },
      { kind: 'plan', startedAt: 25, endedAt: 40 },
    ]);
    expect(g).toEqual({ planToExecute: [], toPlan: [15] });
  });

  it('refuses timelines where a call starts before its dependency ended (streaming dispatch)', () => {
    expect(() =>
      dependentGaps([
        { kind: 'plan', startedAt: 0, endedAt: 100 },
        { kind: 'execute', startedAt: 60, endedAt: 150 },
      ]),
    ).toThrow(/started 40 ms before the call it depends on ended/);
    expect(() => dependentGaps([{ kind: 'execute', startedAt: 0, endedAt: 1 }])).toThrow(
      /before any planner call/,
    );
  });

  it('property: every gap laid into a timeline comes back, in any input order', () => {
    const round = fc.record({
      planMs: fc.integer({ min: 1, max: 5_000 }),
      executors: fc.array(
        fc.record({ gap: fc.integer({ min: 0, max: 500 }), ms: fc.integer({ min: 1, max: 5_000 }) }),
        {
          minLength: 1,
          maxLength: 16,
        },
      ),
      nextGap: fc.integer({ min: 0, max: 500 }),
    });
    fc.assert(
      fc.property(
        fc.array(round, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 100 }),
        fc.nat(),
        (rounds, finalMs, seed) => {
          const calls = timeline(rounds, finalMs);
          // Shuffle deterministically: the function must not depend on input order.
          const shuffled = calls
            .map((c, i) => ({ c, k: (i * 7919 + seed) % 104_729 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.c);
          const g = dependentGaps(shuffled);
          expect(sorted(g.planToExecute)).toEqual(
            sorted(rounds.flatMap((r) => r.executors.map((e) => e.gap))),
          );
          expect(g.toPlan).toEqual(rounds.map((r) => r.nextGap));
          expect(g.planToExecute.length + g.toPlan.length).toBe(calls.length - 1);
        },
      ),
    );
  });
});

describe('quantile', () => {
  it('uses the nearest rank', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('gapProfile', () => {
  // One round: plan (engine 0-100), one executor (engine 140-200), final plan (engine 260-300).
  const calls: TimedCall[] = [
    { kind: 'plan', startedAt: 0, endedAt: 100 },
    { kind: 'execute', startedAt: 140, endedAt: 200 },
    { kind: 'plan', startedAt: 260, endedAt: 300 },
  ];
  // History ids: 5 = plan 1, 9 = the executor, 13 = the final plan.
  const history: HistoryPoint[] = [
    { event: 'workflowTaskScheduled', at: -20 },
    { event: 'workflowTaskStarted', at: -18 },
    { event: 'workflowTaskCompleted', at: -15 },
    { event: 'activityScheduled', at: -15, activity: 5, call: 'plan' },
    { event: 'activityStarted', at: -10, activity: 5 },
    { event: 'activityCompleted', at: 104, activity: 5 },
    { event: 'workflowTaskScheduled', at: 104 },
    { event: 'workflowTaskStarted', at: 110 },
    { event: 'workflowTaskCompleted', at: 125 },
    { event: 'activityScheduled', at: 125, activity: 9, call: 'execute' },
    { event: 'activityStarted', at: 133, activity: 9 },
    { event: 'activityCompleted', at: 202, activity: 9 },
    { event: 'workflowTaskScheduled', at: 202 },
    { event: 'workflowTaskStarted', at: 230 },
    { event: 'workflowTaskCompleted', at: 240 },
    { event: 'activityScheduled', at: 240, activity: 13, call: 'plan' },
    { event: 'activityStarted', at: 250, activity: 13 },
    { event: 'activityCompleted', at: 301, activity: 13 },
  ];

  it('splits each gap into completion, wait for the workflow task, the task, dispatch and the way to the engine', () => {
    const p = gapProfile(calls, history);
    expect(p.planToExecute).toEqual({
      'activity completion': [4],
      'to workflow task': [6],
      'workflow task': [15],
      'activity dispatch': [8],
      'activity to engine': [7],
    });
    expect(p.toPlan).toEqual({
      'activity completion': [2],
      'to workflow task': [28],
      'workflow task': [10],
      'activity dispatch': [10],
      'activity to engine': [10],
    });
    // The segments add up to the gaps the engine saw.
    const g = dependentGaps(calls);
    for (const edge of ['planToExecute', 'toPlan'] as const)
      expect(GAP_SEGMENTS.reduce((a, s) => a + p[edge][s][0]!, 0)).toBe(g[edge][0]);
  });

  it('refuses an engine log that does not match the history', () => {
    expect(() => gapProfile(calls.slice(0, 2), history)).toThrow(
      /engine saw 1 plan \/ 1 execute calls, history has 2 \/ 1/,
    );
    expect(() => gapProfile([...calls, { kind: 'execute', startedAt: 400, endedAt: 500 }], history)).toThrow(
      /fewer execute activities/,
    );
  });
});
