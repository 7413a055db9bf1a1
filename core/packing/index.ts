/*
 * Packing of an extracted trace into SPRINT stages (docs/sprint-format.md#curation-pipeline, steps 3-5). Pure.
 *
 * Components (the step extractor's output) and the DAG (parent map) come in; stages of plans and
 * executions, the parallelization ratio and the keep/reject decision come out.
 */

/** Inclusive range of numbered trace lines. */
export type LineRange = [number, number];

/** One step of a trace, as docs/sprint-format.md#step-extraction describes it. */
export interface Component {
  id: number;
  description?: string;
  /**
   * The lines that decide what to do (plan text); null when the extractor found none (it answered
   * "None" / "Lines not found"): such a component is still a component.
   */
  plan: string | null;
  /** A self-contained instruction for the step's work; null for a plan-only step. */
  prompt: string | null;
  /** The work itself; null for a plan-only step. */
  execution: string | null;
  planLines: LineRange | null;
  executionLines: LineRange | null;
  /**
   * Optional remark on the result. The released layout puts it in the plans of the components
   * that use the result (`Observation about execution_p.k: ...`); the legacy layout appends it to
   * the component's own plan.
   */
  comment?: string | null;
  commentLines?: LineRange | null;
}

/** Parent map: for each component id (as a string key), the ids whose results it needs. */
export type Dag = Record<string, number[]>;

export class PackingError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown-id' | 'self-loop' | 'cycle' | 'order' | 'duplicate-id' | 'missing-node',
  ) {
    super(message);
    this.name = 'PackingError';
  }
}

export interface PackingOptions {
  /** An execution spanning lines a..b with b - a < threshold becomes plan-only (released pipeline: 3). */
  shortExecutionThreshold: number;
  /** Keep a trace when ratio >= minRatio ... */
  minRatio: number;
  /** ... and it needs at most maxStages stages. */
  maxStages: number;
}

export const defaultPackingOptions: PackingOptions = {
  shortExecutionThreshold: 3,
  minRatio: 1.5,
  maxStages: 11,
};

/** A component that has work for an executor. */
export function hasExecution(c: Component): boolean {
  return c.execution !== null && c.execution.trim() !== '' && c.prompt !== null;
}

/**
 * Validates the DAG against the components: every key and parent names a known component, no
 * self-loops, no cycles, and every parent comes before its child in trace order. Throws a
 * PackingError naming the ids. Components missing from the DAG are roots (no parents).
 */
export function validateDag(components: Component[], dag: Dag): void {
  const position = new Map<number, number>();
  components.forEach((c, i) => {
    if (position.has(c.id)) throw new PackingError(`component id ${c.id} appears twice`, 'duplicate-id');
    position.set(c.id, i);
  });
  for (const [key, parents] of Object.entries(dag)) {
    const child = Number(key);
    if (!Number.isInteger(child) || !position.has(child)) {
      throw new PackingError(`DAG names component ${key}, which does not exist`, 'unknown-id');
    }
    for (const p of parents) {
      if (!position.has(p))
        throw new PackingError(`component ${child} has unknown parent ${p}`, 'unknown-id');
      if (p === child) throw new PackingError(`component ${child} lists itself as its parent`, 'self-loop');
    }
  }
  // Cycle detection (iterative DFS) before the order check, so a cycle is reported as such.
  const state = new Map<number, 1 | 2>();
  for (const start of position.keys()) {
    if (state.get(start) === 2) continue;
    const stack: { id: number; next: number; path: number[] }[] = [{ id: start, next: 0, path: [start] }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const parents = dag[String(top.id)] ?? [];
      if (top.next >= parents.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const p = parents[top.next++]!;
      const s = state.get(p);
      if (s === 1) {
        const from = top.path.indexOf(p);
        const cycle = [...top.path.slice(from), p].reverse();
        throw new PackingError(`the DAG has a cycle: ${cycle.join(' -> ')}`, 'cycle');
      }
      if (s === undefined) {
        state.set(p, 1);
        stack.push({ id: p, next: 0, path: [...top.path, p] });
      }
    }
  }
  for (const [key, parents] of Object.entries(dag)) {
    const child = Number(key);
    for (const p of parents) {
      if (position.get(p)! > position.get(child)!) {
        throw new PackingError(`parent ${p} comes after its child ${child} in the trace`, 'order');
      }
    }
  }
}

/**
 * The short-execution merge: an execution spanning lines a..b with b - a < threshold is folded
 * into its plan, and the component becomes plan-only. An empty execution is plan-only too.
 */
export function mergeShortExecutions(components: Component[], threshold: number): Component[] {
  return components.map((c) => {
    const empty = c.execution === null || c.execution.trim() === '' || c.prompt === null;
    const lines = c.executionLines;
    const short = lines !== null && lines[1] - lines[0] < threshold;
    if (!empty && !short) return c;
    const plan = empty ? c.plan : [c.plan ?? '', c.execution ?? ''].filter((t) => t.trim() !== '').join('\n');
    return { ...c, plan, prompt: null, execution: null, executionLines: null };
  });
}

/** stage(S) = 1 without parents, else max over parents P of stage(P) + (1 if P executes, else 0). */
export function assignStages(components: Component[], dag: Dag): Map<number, number> {
  validateDag(components, dag);
  const byId = new Map(components.map((c) => [c.id, c]));
  const stage = new Map<number, number>();
  // Parents come first in trace order (validated), so one pass suffices.
  for (const c of components) {
    let s = 1;
    for (const p of dag[String(c.id)] ?? []) {
      s = Math.max(s, stage.get(p)! + (hasExecution(byId.get(p)!) ? 1 : 0));
    }
    stage.set(c.id, s);
  }
  return stage;
}

export interface StageExecution {
  /** `k.j`, numbered in trace order within the stage. */
  label: string;
  componentId: number;
  prompt: string;
  execution: string;
}

export interface StagePlanPart {
  componentId: number;
  plan: string;
  /** Labels of earlier executions this component builds on (its executing parents). */
  basedOn: string[];
  /** Label of this component's own prompt/execution, when it has one. */
  label: string | null;
  prompt: string | null;
}

export interface Stage {
  index: number;
  componentIds: number[];
  plan: StagePlanPart[];
  executions: StageExecution[];
}

export interface PackResult {
  stages: Stage[];
  /** Components with an execution after the merge. */
  executingComponents: number;
  ratio: number;
  kept: boolean;
  /** Why a trace was rejected ('low-ratio', 'too-many-stages'); absent when kept. */
  reason?: 'low-ratio' | 'too-many-stages' | 'no-components';
}

/** Groups components into stages (plans and executions in trace order, prompts k.1, k.2, ...). */
export function buildStages(components: Component[], dag: Dag): Stage[] {
  const stageOf = assignStages(components, dag);
  const count = Math.max(0, ...stageOf.values());
  const stages: Stage[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    componentIds: [],
    plan: [],
    executions: [],
  }));
  const labelOf = new Map<number, string>();
  for (const c of components) {
    const stage = stages[stageOf.get(c.id)! - 1]!;
    stage.componentIds.push(c.id);
    let label: string | null = null;
    if (hasExecution(c)) {
      label = `${stage.index}.${stage.executions.length + 1}`;
      labelOf.set(c.id, label);
      stage.executions.push({ label, componentId: c.id, prompt: c.prompt!, execution: c.execution! });
    }
    const basedOn = (dag[String(c.id)] ?? [])
      .map((p) => labelOf.get(p))
      .filter((l): l is string => l !== undefined && Number(l.split('.')[0]) < stage.index);
    const plan = [c.plan ?? '', c.comment ?? ''].filter((t) => t.trim() !== '').join('\n');
    stage.plan.push({
      componentId: c.id,
      plan,
      basedOn: [...new Set(basedOn)],
      label,
      prompt: label ? c.prompt : null,
    });
  }
  return stages;
}

/** Components with an execution / number of stages (0 for an empty trace). */
export function parallelizationRatio(executing: number, stages: number): number {
  return stages === 0 ? 0 : executing / stages;
}

/** The whole packing step: merge, validate, stage, measure, filter. */
export function pack(components: Component[], dag: Dag, options: Partial<PackingOptions> = {}): PackResult {
  const opts = { ...defaultPackingOptions, ...options };
  const merged = mergeShortExecutions(components, opts.shortExecutionThreshold);
  const stages = buildStages(merged, dag);
  const executing = merged.filter(hasExecution).length;
  const ratio = parallelizationRatio(executing, stages.length);
  let reason: PackResult['reason'];
  if (stages.length === 0) reason = 'no-components';
  else if (stages.length > opts.maxStages) reason = 'too-many-stages';
  else if (ratio < opts.minRatio) reason = 'low-ratio';
  return {
    stages,
    executingComponents: executing,
    ratio,
    kept: reason === undefined,
    ...(reason ? { reason } : {}),
  };
}
