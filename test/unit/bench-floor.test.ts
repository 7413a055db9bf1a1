import fc from 'fast-check';
import { histogramMean, parsePrometheus } from '../../bench/core-metrics';
import { floorShape } from '../../bench/floor/shape';
import { dependencyEdges, inStartOrder, type TimedCall } from '../../core/session/call-gaps';

/** A finished session's calls: rounds of a plan then its executors, then the final plan; gaps between. */
const sessionCalls = fc
  .record({
    rounds: fc.array(
      fc.record({
        plan: fc.integer({ min: 1, max: 5000 }),
        executors: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 16 }),
      }),
      { maxLength: 6 },
    ),
    final: fc.integer({ min: 1, max: 5000 }),
    gap: fc.integer({ min: 0, max: 200 }),
  })
  .map(({ rounds, final, gap }) => {
    const calls: TimedCall[] = [];
    let t = 1000;
    for (const r of rounds) {
      calls.push({ kind: 'plan', startedAt: t, endedAt: t + r.plan });
      t += r.plan + gap;
      for (const [k, ms] of r.executors.entries())
        calls.push({ kind: 'execute', startedAt: t + k, endedAt: t + k + ms });
      t += Math.max(...r.executors.map((ms, k) => ms + k)) + gap;
    }
    calls.push({ kind: 'plan', startedAt: t, endedAt: t + final });
    return { calls, rounds, final };
  });

describe('floorShape (bench/floor)', () => {
  it('keeps every round, its executor count and every call duration, in order', () => {
    fc.assert(
      fc.property(sessionCalls, fc.boolean(), ({ calls, rounds, final }, shuffled) => {
        const input = floorShape(shuffled ? [...calls].reverse() : calls, 'q');
        expect(input.callQueue).toBe('q');
        expect(input.finalMs).toBe(final);
        expect(input.rounds).toEqual(rounds.map((r) => ({ planMs: r.plan, executeMs: r.executors })));
        // The replayed shape has the same dependency edges as the session it came from.
        const edges = dependencyEdges(inStartOrder(calls));
        expect(edges.filter((e) => e.kind === 'planToExecute')).toHaveLength(
          input.rounds.reduce((a, r) => a + r.executeMs.length, 0),
        );
      }),
    );
  });

  it('refuses a session that ends with prompts or starts with an executor', () => {
    expect(() =>
      floorShape(
        [
          { kind: 'plan', startedAt: 0, endedAt: 5 },
          { kind: 'execute', startedAt: 6, endedAt: 9 },
        ],
        'q',
      ),
    ).toThrow(/not a finished session/);
    expect(() => floorShape([{ kind: 'execute', startedAt: 0, endedAt: 5 }], 'q')).toThrow(
      /before any planner call/,
    );
    expect(() => floorShape([], 'q')).toThrow(/without a planner call/);
  });
});

describe('parsePrometheus / histogramMean (bench/core-metrics)', () => {
  // The exposition format as the SDK's exporter writes it (labels, buckets, sum and count).
  const text = [
    '# HELP temporal_request_latency Latency of client requests',
    '# TYPE temporal_request_latency histogram',
    'temporal_request_latency_bucket{operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk",le="50"} 4',
    'temporal_request_latency_sum{operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} 30',
    'temporal_request_latency_count{operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} 4',
    'temporal_request_latency_sum{operation="PollWorkflowTaskQueue",service_name="temporal-core-sdk"} 900',
    'temporal_request_latency_count{operation="PollWorkflowTaskQueue",service_name="temporal-core-sdk"} 2',
    'temporal_workflow_task_execution_latency_sum{task_queue="a.sprint-control",workflow_type="sessionWorkflow"} 50',
    'temporal_workflow_task_execution_latency_count{task_queue="a.sprint-control",workflow_type="sessionWorkflow"} 5',
    'temporal_workflow_task_execution_latency_sum{task_queue="bench-floor-control",workflow_type="floorSession"} 8',
    'temporal_workflow_task_execution_latency_count{task_queue="bench-floor-control",workflow_type="floorSession"} 4',
    '',
  ].join('\n');

  it('reads names, labels and values, and averages a histogram over matching labels', () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(9);
    expect(samples[0]).toEqual({
      name: 'temporal_request_latency_bucket',
      labels: { operation: 'RespondWorkflowTaskCompleted', service_name: 'temporal-core-sdk', le: '50' },
      value: 4,
    });
    expect(
      histogramMean(
        samples,
        'temporal_request_latency',
        (l) => l.operation === 'RespondWorkflowTaskCompleted',
      ),
    ).toEqual({ mean: 7.5, count: 4 });
    expect(
      histogramMean(
        samples,
        'temporal_workflow_task_execution_latency',
        (l) => l.workflow_type === 'floorSession',
      ),
    ).toEqual({ mean: 2, count: 4 });
    expect(histogramMean(samples, 'temporal_nothing', () => true).count).toBe(0);
  });
});
