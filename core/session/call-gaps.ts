/*
 * Orchestration overhead of a session, measured where it is felt: between the end of a model call
 * and the start of the next call that depends on it (issue 16). Pure functions over timestamps, so
 * the bench can apply the same measure to a session through Temporal and to a plain in-process loop.
 *
 * Dependencies in a SPRINT round (docs/sprint-format.md#inference-loop, without streaming dispatch): every executor of
 * plan p depends on the planner call that wrote it; the next planner call depends on all executors
 * of the round (it starts when the last one ends), or on the previous planner call when that one
 * had no prompts (a resample, an empty plan).
 */

/** One model call as the engine saw it (times in ms). */
export interface TimedCall {
  kind: 'plan' | 'execute';
  startedAt: number;
  endedAt: number;
}

/** Gaps in ms, one per dependent call, split by the kind of edge. */
export interface DependentGaps {
  /** Executor start minus the end of the planner call that wrote its prompt. */
  planToExecute: number[];
  /** Planner start minus the end of the call it waited for (the round's last executor, or a plan). */
  toPlan: number[];
}

/** A dependent call and the call it waited for, as indices into the calls in start order. */
export interface DependencyEdge {
  kind: 'planToExecute' | 'toPlan';
  from: number;
  to: number;
}

/** The calls in start order (ties keep their given order). */
export function inStartOrder<T extends TimedCall>(calls: readonly T[]): T[] {
  return [...calls].sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * The dependency edges of one session's calls, in start order. A call that starts before its
 * dependency ended (streaming dispatch) is an error here, since its gap would not mean what it says.
 */
export function dependencyEdges(ordered: readonly TimedCall[]): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  let plan: number | undefined;
  let lastExecutor: number | undefined;
  for (const [i, c] of ordered.entries()) {
    if (c.kind === 'execute') {
      if (plan === undefined) throw new Error(`call ${i}: an executor started before any planner call`);
      edges.push({ kind: 'planToExecute', from: plan, to: i });
      if (lastExecutor === undefined || c.endedAt > ordered[lastExecutor]!.endedAt) lastExecutor = i;
    } else {
      const from = lastExecutor ?? plan;
      if (from !== undefined) edges.push({ kind: 'toPlan', from, to: i });
      plan = i;
      lastExecutor = undefined;
    }
  }
  for (const e of edges) checked(ordered[e.to]!.startedAt - ordered[e.from]!.endedAt, e.to);
  return edges;
}

/** The dependent-call gaps of one session's calls. */
export function dependentGaps(calls: readonly TimedCall[]): DependentGaps {
  const ordered = inStartOrder(calls);
  const gaps: DependentGaps = { planToExecute: [], toPlan: [] };
  for (const e of dependencyEdges(ordered))
    gaps[e.kind].push(ordered[e.to]!.startedAt - ordered[e.from]!.endedAt);
  return gaps;
}

function checked(gap: number, i: number): number {
  if (gap < 0) throw new Error(`call ${i} started ${-gap} ms before the call it depends on ended`);
  return gap;
}

/** The q-quantile (0..1) of xs by the nearest-rank method; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1]!;
}
