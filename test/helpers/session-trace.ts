/*
 * The model-call part of a traced three-round SPRINT session (threeRoundScenario: 4 planner calls, 8
 * executors, so 12 engine calls), checked the same way whichever exporter the spans came through
 * (the in-memory exporter, or the OTLP receiver double for a child process's spans).
 */

/** What the checks read of a span, in either exporter's shape. */
interface SpanLike {
  name: string;
  attributes: Record<string, unknown>;
}

/** A trace's lookups: its spans of a name, and a span's parent within the trace. */
export interface TraceLookups<S extends SpanLike> {
  named: (name: string) => S[];
  parentOf: (span: S) => S | undefined;
}

/**
 * Checks that each model call's activity span was scheduled by `run` (its StartActivity span the
 * run's child) and that each engine call ran inside one of them with the engine's request id;
 * returns both for the caller's own checks.
 */
export function expectSessionCallSpans<S extends SpanLike>(
  { named, parentOf }: TraceLookups<S>,
  run: S,
): { activities: S[]; engineCalls: S[] } {
  const activities = [...named('RunActivity:sprintPlan'), ...named('RunActivity:sprintExecute')];
  expect(named('RunActivity:sprintPlan')).toHaveLength(4);
  expect(named('RunActivity:sprintExecute')).toHaveLength(8);
  for (const activity of activities) {
    const scheduled = parentOf(activity)!;
    expect(scheduled.name).toBe(activity.name.replace('RunActivity', 'StartActivity'));
    expect(parentOf(scheduled)).toBe(run);
  }
  const engineCalls = named('engine POST /v1/completions');
  expect(engineCalls).toHaveLength(12);
  for (const call of engineCalls) {
    expect(activities).toContain(parentOf(call));
    expect(call.attributes['engine.request_id']).toMatch(/^cmpl-\d+$/);
  }
  return { activities, engineCalls };
}
