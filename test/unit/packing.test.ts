import fc from 'fast-check';
import {
  assignStages,
  buildStages,
  hasExecution,
  mergeShortExecutions,
  pack,
  PackingError,
  validateDag,
  type Component,
  type Dag,
} from '../../core/packing';

/** A component whose execution spans `execLines` lines (0 = plan-only). */
function comp(id: number, execLines = 5, start = id * 10): Component {
  return {
    id,
    plan: `plan ${id}`,
    prompt: execLines > 0 ? `do step ${id}` : null,
    execution: execLines > 0 ? `work ${id}` : null,
    planLines: [start, start],
    executionLines: execLines > 0 ? [start + 1, start + execLines] : null,
  };
}

const paperDag: Dag = { 1: [], 2: [1], 3: [1], 4: [1], 5: [2, 3], 6: [4, 5] };

describe('DAG validation', () => {
  const cs = [comp(1), comp(2), comp(3)];
  it.each<[string, Dag, RegExp, PackingError['code']]>([
    ['unknown parent', { 1: [], 2: [7] }, /component 2 has unknown parent 7/, 'unknown-id'],
    ['unknown node', { 9: [1] }, /component 9, which does not exist/, 'unknown-id'],
    ['self-loop', { 2: [2] }, /component 2 lists itself/, 'self-loop'],
    ['cycle', { 1: [3], 2: [1], 3: [2] }, /cycle: .*1.*2.*3|cycle/, 'cycle'],
    ['parent after child', { 1: [2] }, /parent 2 comes after its child 1/, 'order'],
  ])('rejects %s with a clear error', (_name, dag, message, code) => {
    let error: unknown;
    try {
      validateDag(cs, dag);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PackingError);
    expect((error as PackingError).message).toMatch(message);
    expect((error as PackingError).code).toBe(code);
  });

  it('names the ids on the cycle', () => {
    expect(() => validateDag(cs, { 1: [3], 2: [1], 3: [2] })).toThrow(
      /1 -> .* -> 1|2 -> .* -> 2|3 -> .* -> 3/,
    );
  });

  it('accepts a valid DAG and treats missing entries as roots', () => {
    expect(() => validateDag(cs, { 3: [1] })).not.toThrow();
  });

  it('rejects duplicate component ids', () => {
    expect(() => validateDag([comp(1), comp(1)], {})).toThrow(/appears twice/);
  });
});

describe('short-execution merge', () => {
  it('merges an execution spanning b - a < 3 lines into its plan (at most 3 lines)', () => {
    const [short, long] = mergeShortExecutions([comp(1, 3), comp(2, 4)], 3);
    expect(hasExecution(short!)).toBe(false);
    expect(short!.plan).toBe('plan 1\nwork 1');
    expect(hasExecution(long!)).toBe(true);
  });
  it('follows a configured threshold', () => {
    const [c] = mergeShortExecutions([comp(1, 4)], 5);
    expect(hasExecution(c!)).toBe(false);
  });
  it('treats an empty execution as plan-only', () => {
    const c = { ...comp(1), execution: '  ' };
    expect(hasExecution(mergeShortExecutions([c], 0)[0]!)).toBe(false);
  });
});

describe('golden packing', () => {
  it('packs the worked example of docs/sprint-format.md#stage-packing into {1},{2,3,4},{5},{6}, ratio 1.5, kept', () => {
    const cs = [1, 2, 3, 4, 5, 6].map((id) => comp(id));
    const result = pack(cs, paperDag);
    expect(result.stages.map((s) => s.componentIds)).toEqual([[1], [2, 3, 4], [5], [6]]);
    expect(result.ratio).toBe(1.5);
    expect(result.kept).toBe(true);
    expect(result.stages[1]!.executions.map((e) => [e.label, e.componentId])).toEqual([
      ['2.1', 2],
      ['2.2', 3],
      ['2.3', 4],
    ]);
    // Node 5 builds on executions 2.1 and 2.2; node 6 on 2.3 and 3.1.
    expect(result.stages[2]!.plan[0]!.basedOn).toEqual(['2.1', '2.2']);
    expect(result.stages[3]!.plan[0]!.basedOn).toEqual(['2.3', '3.1']);
  });

  it('with node 1 plan-only: {1,2,3,4},{5},{6}, ratio 5/3', () => {
    const cs = [comp(1, 0), ...[2, 3, 4, 5, 6].map((id) => comp(id))];
    const result = pack(cs, paperDag);
    expect(result.stages.map((s) => s.componentIds)).toEqual([[1, 2, 3, 4], [5], [6]]);
    expect(result.ratio).toBeCloseTo(5 / 3, 12);
    expect(result.stages[0]!.executions.map((e) => e.label)).toEqual(['1.1', '1.2', '1.3']);
    expect(result.stages[0]!.plan.map((p) => p.label)).toEqual([null, '1.1', '1.2', '1.3']);
  });

  it('makes node 1 plan-only by the short merge too', () => {
    const cs = [comp(1, 2), ...[2, 3, 4, 5, 6].map((id) => comp(id))];
    expect(pack(cs, paperDag).stages.map((s) => s.componentIds)).toEqual([[1, 2, 3, 4], [5], [6]]);
  });

  it('rejects a chain (ratio 1) and too many stages', () => {
    const chain = [1, 2, 3, 4].map((id) => comp(id));
    const r = pack(chain, { 2: [1], 3: [2], 4: [3] });
    expect(r).toMatchObject({ ratio: 1, kept: false, reason: 'low-ratio' });
    const wide = Array.from({ length: 26 }, (_, i) => comp(i + 1));
    const dag: Dag = {};
    // 13 stages of two parallel steps each: ratio 2 but too many stages.
    for (let i = 3; i <= 26; i++)
      dag[i] = [i - 2, ...(i % 2 === 1 ? [i - 1] : [i - 3])].filter((p) => p >= 1);
    const deep = pack(wide, dag);
    expect(deep.stages.length).toBe(13);
    expect(deep).toMatchObject({ kept: false, reason: 'too-many-stages' });
    expect(pack(wide, dag, { maxStages: 13 }).kept).toBe(true);
  });
});

/** Random components (some plan-only) and a parent map where parents come earlier. */
const arbTrace = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n, maxLength: n }),
      fc.array(fc.array(fc.nat({ max: 1000 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
    )
    .map(([lens, picks]) => {
      const components = lens.map((len, i) => comp(i + 1, len));
      const dag: Dag = {};
      picks.forEach((ps, i) => {
        dag[i + 1] = i === 0 ? [] : [...new Set(ps.map((p) => (p % i) + 1))];
      });
      return { components, dag };
    }),
);

describe('packing properties', () => {
  it('children of executing parents sit later; children of plan-only parents share or pass the stage; stages are minimal', () => {
    fc.assert(
      fc.property(arbTrace, ({ components, dag }) => {
        const merged = mergeShortExecutions(components, 3);
        const stage = assignStages(merged, dag);
        const byId = new Map(merged.map((c) => [c.id, c]));
        for (const c of merged) {
          const parents = dag[c.id] ?? [];
          let lower = 1;
          for (const p of parents) {
            const needed = stage.get(p)! + (hasExecution(byId.get(p)!) ? 1 : 0);
            // executing parent -> strictly later; plan-only parent -> same stage or later
            expect(stage.get(c.id)!).toBeGreaterThanOrEqual(needed);
            lower = Math.max(lower, needed);
          }
          // minimal: no earlier stage would satisfy every parent
          expect(stage.get(c.id)).toBe(lower);
        }
        // stage numbers are contiguous from 1
        const used = new Set(stage.values());
        for (let k = 1; k <= Math.max(...used); k++) expect(used.has(k)).toBe(true);
      }),
    );
  });

  it('a child whose only parent is plan-only shares its stage', () => {
    fc.assert(
      fc.property(arbTrace, ({ components, dag }) => {
        const merged = mergeShortExecutions(components, 3);
        const stage = assignStages(merged, dag);
        const byId = new Map(merged.map((c) => [c.id, c]));
        for (const c of merged) {
          const parents = dag[c.id] ?? [];
          if (parents.length === 1 && !hasExecution(byId.get(parents[0]!)!)) {
            expect(stage.get(c.id)).toBe(stage.get(parents[0]!));
          }
        }
      }),
    );
  });

  it('every executing component gets exactly one label k.j, numbered in trace order', () => {
    fc.assert(
      fc.property(arbTrace, ({ components, dag }) => {
        const stages = buildStages(mergeShortExecutions(components, 3), dag);
        const all = stages.flatMap((s) => s.executions);
        expect(all.length).toBe(mergeShortExecutions(components, 3).filter(hasExecution).length);
        for (const s of stages) {
          s.executions.forEach((e, j) => expect(e.label).toBe(`${s.index}.${j + 1}`));
          const ids = s.componentIds;
          expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        }
      }),
    );
  });
});
