/*
 * Packing as the released SPRINT pipeline does it (docs/sprint-format.md#curation-pipeline and docs/sprint-format.md#the-released-pipeline). Pure.
 *
 * Differences from the platform's legacy packing (core/packing/index.ts), all taken from the
 * released behaviour:
 *   - the DAG decides which components take part: its keys and every parent it names; a component
 *     absent from the DAG takes no part (reported in `excluded`), a DAG id without a component is an
 *     error;
 *   - stages follow the graph, not the trace order, so a parent listed after its child is packed
 *     and reported in `problems`, not rejected; self-loops and cycles are errors;
 *   - a component executes when its execution text is non-empty (after the short-execution merge);
 *   - stages list their components in id order; prompts are numbered p.1, p.2, ... in that order.
 */
import { PackingError, defaultPackingOptions, type Component, type Dag, type PackingOptions } from './index';

/** One component after the merge, placed in its stage. */
export interface ReleasedNode {
  /** The component after the short-execution merge (plan may have absorbed the execution). */
  component: Component;
  stage: number;
  /** `p.k` when it executes, else null. */
  label: string | null;
  /** Its parents in earlier stages that execute, in the DAG's listed order, without repeats. */
  executingParents: number[];
}

export interface ReleasedStage {
  index: number;
  /** Component ids in id order. */
  componentIds: number[];
}

export interface ReleasedPackResult {
  stages: ReleasedStage[];
  nodes: Map<number, ReleasedNode>;
  executingComponents: number;
  ratio: number;
  kept: boolean;
  reason?: 'low-ratio' | 'too-many-stages' | 'no-components';
  /** Components the DAG does not mention (they take no part). */
  excluded: number[];
  /** Shapes that were accepted but are worth knowing (a parent after its child, repeated parents). */
  problems: string[];
}

/** The released merge: an empty execution is plan-only; an execution over lines a..b with b - a < threshold joins its plan. */
export function releasedMerge(c: Component, threshold: number): Component {
  if (c.execution === null || c.execution === '') return { ...c, execution: null, executionLines: null };
  const lines = c.executionLines;
  if (lines && lines[1] - lines[0] < threshold) {
    // Texts join with "\n"; an absent plan contributes nothing.
    const plan = c.plan === null ? c.execution : `${c.plan}\n${c.execution}`;
    return { ...c, plan, execution: null, executionLines: null };
  }
  return c;
}

export function releasedExecutes(c: Component): boolean {
  return c.execution !== null && c.execution !== '';
}

export function packReleased(
  components: Component[],
  dag: Dag,
  options: Partial<PackingOptions> = {},
): ReleasedPackResult {
  const opts = { ...defaultPackingOptions, ...options };
  const byId = new Map<number, Component>();
  for (const c of components) {
    if (byId.has(c.id)) throw new PackingError(`component id ${c.id} appears twice`, 'duplicate-id');
    byId.set(c.id, c);
  }
  const problems: string[] = [];
  // Parents per node, deduplicated in listed order (the released graph keeps one edge per pair).
  const parentsOf = new Map<number, number[]>();
  const addNode = (id: number) => {
    if (!parentsOf.has(id)) parentsOf.set(id, []);
  };
  for (const [key, parents] of Object.entries(dag)) {
    const child = Number(key);
    addNode(child);
    const list = parentsOf.get(child)!;
    for (const p of parents) {
      if (p === child) throw new PackingError(`component ${child} lists itself as its parent`, 'self-loop');
      addNode(p);
      if (list.includes(p)) {
        problems.push(`component ${child} lists parent ${p} more than once`);
        continue;
      }
      list.push(p);
      if (p > child) problems.push(`parent ${p} comes after its child ${child} in the trace`);
    }
  }
  const missing = [...parentsOf.keys()].filter((id) => !byId.has(id)).sort((a, b) => a - b);
  if (missing.length)
    throw new PackingError(
      `the DAG names component${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which the extraction does not have`,
      'unknown-id',
    );
  const excluded = components.map((c) => c.id).filter((id) => !parentsOf.has(id));

  const merged = new Map<number, Component>();
  for (const id of parentsOf.keys())
    merged.set(id, releasedMerge(byId.get(id)!, opts.shortExecutionThreshold));

  // stage(S) = 1 without parents, else max over parents P of stage(P) + (1 if P executes).
  const stage = new Map<number, number>();
  const visiting = new Set<number>();
  const stageOf = (start: number): number => {
    const stack: { id: number; path: number[] }[] = [{ id: start, path: [start] }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (stage.has(top.id)) {
        stack.pop();
        continue;
      }
      visiting.add(top.id);
      const parents = parentsOf.get(top.id)!;
      const pending = parents.find((p) => !stage.has(p));
      if (pending !== undefined) {
        if (visiting.has(pending)) {
          const from = top.path.indexOf(pending);
          const cycle = [...top.path.slice(from), pending].reverse();
          throw new PackingError(`the DAG has a cycle: ${cycle.join(' -> ')}`, 'cycle');
        }
        stack.push({ id: pending, path: [...top.path, pending] });
        continue;
      }
      let s = 1;
      for (const p of parents) s = Math.max(s, stage.get(p)! + (releasedExecutes(merged.get(p)!) ? 1 : 0));
      stage.set(top.id, s);
      visiting.delete(top.id);
      stack.pop();
    }
    return stage.get(start)!;
  };
  for (const id of parentsOf.keys()) stageOf(id);

  const count = Math.max(0, ...stage.values());
  const stages: ReleasedStage[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    componentIds: [],
  }));
  for (const id of [...stage.keys()].sort((a, b) => a - b)) stages[stage.get(id)! - 1]!.componentIds.push(id);

  const nodes = new Map<number, ReleasedNode>();
  for (const s of stages) {
    let k = 0;
    for (const id of s.componentIds) {
      const component = merged.get(id)!;
      nodes.set(id, {
        component,
        stage: s.index,
        label: releasedExecutes(component) ? `${s.index}.${++k}` : null,
        executingParents: [],
      });
    }
  }
  for (const [id, node] of nodes) {
    node.executingParents = parentsOf
      .get(id)!
      .filter((p) => nodes.get(p)!.stage < node.stage && nodes.get(p)!.label !== null);
  }

  const executing = [...nodes.values()].filter((n) => n.label !== null).length;
  const ratio = count === 0 ? 0 : executing / count;
  let reason: ReleasedPackResult['reason'];
  if (count === 0) reason = 'no-components';
  else if (count > opts.maxStages) reason = 'too-many-stages';
  else if (ratio < opts.minRatio) reason = 'low-ratio';
  return {
    stages,
    nodes,
    executingComponents: executing,
    ratio,
    kept: reason === undefined,
    ...(reason ? { reason } : {}),
    excluded,
    problems,
  };
}
