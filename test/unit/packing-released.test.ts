import fc from 'fast-check';
import { pack, PackingError, type Component, type Dag } from '../../core/packing';
import { normalizeDag, parseDagText, DagInputError } from '../../core/packing/dag-input';
import { packReleased } from '../../core/packing/released';

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

describe('released packing', () => {
  it('follows the worked example of docs/sprint-format.md#stage-packing', () => {
    const all = packReleased(
      [1, 2, 3, 4, 5, 6].map((i) => comp(i)),
      paperDag,
    );
    expect(all.stages.map((s) => s.componentIds)).toEqual([[1], [2, 3, 4], [5], [6]]);
    expect(all.ratio).toBe(1.5);
    expect(all.kept).toBe(true); // exactly 1.5 is kept
    const planOnly = packReleased([comp(1, 0), ...[2, 3, 4, 5, 6].map((i) => comp(i))], paperDag);
    expect(planOnly.stages.map((s) => s.componentIds)).toEqual([[1, 2, 3, 4], [5], [6]]);
    expect(planOnly.ratio).toBeCloseTo(5 / 3);
  });

  it('merges an execution over lines a..b when b - a < 3 (at most 3 lines)', () => {
    const three = packReleased([comp(1, 3), comp(2)], { 1: [], 2: [1] });
    expect(three.nodes.get(1)!.label).toBeNull();
    expect(three.nodes.get(1)!.component.plan).toBe('plan 1\nwork 1');
    const four = packReleased([comp(1, 4), comp(2)], { 1: [], 2: [1] });
    expect(four.nodes.get(1)!.label).toBe('1.1');
  });

  it('leaves components absent from the DAG out and says which', () => {
    const r = packReleased([comp(1), comp(2), comp(3), comp(4)], { 1: [], 2: [1], 4: [1] });
    expect(r.excluded).toEqual([3]);
    expect(r.stages.map((s) => s.componentIds)).toEqual([[1], [2, 4]]);
    expect(r.executingComponents).toBe(3);
  });

  it('packs a parent listed after its child and reports it', () => {
    const r = packReleased([comp(1), comp(2), comp(3)], { 1: [3], 2: [3], 3: [] });
    expect(r.stages.map((s) => s.componentIds)).toEqual([[3], [1, 2]]);
    expect(r.nodes.get(1)!.label).toBe('2.1');
    expect(r.problems).toEqual([
      'parent 3 comes after its child 1 in the trace',
      'parent 3 comes after its child 2 in the trace',
    ]);
  });

  it.each<[string, Dag, RegExp, PackingError['code']]>([
    [
      'an id without a component',
      { 1: [], 2: [9] },
      /names component 9, which the extraction does not have/,
      'unknown-id',
    ],
    ['a self-loop', { 1: [], 2: [2] }, /component 2 lists itself/, 'self-loop'],
    ['a cycle', { 1: [3], 2: [1], 3: [2] }, /cycle: /, 'cycle'],
  ])('rejects %s with an error naming it', (_name, dag, message, code) => {
    let error: unknown;
    try {
      packReleased([comp(1), comp(2), comp(3)], dag);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PackingError);
    expect((error as PackingError).message).toMatch(message);
    expect((error as PackingError).code).toBe(code);
  });

  it('agrees with the stage formula and numbers prompts per stage (property)', () => {
    const arb = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.tuple(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n, maxLength: n }),
        fc.array(fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }), {
          minLength: n,
          maxLength: n,
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ([execLens, rawParents]) => {
        const components = execLens.map((len, i) => comp(i + 1, len));
        const dag: Dag = {};
        rawParents.forEach((ps, i) => {
          dag[String(i + 1)] = [...new Set(ps.filter((p) => p < i + 1))];
        });
        const r = packReleased(components, dag);
        // Same stages as the platform's own packing on a trace-ordered DAG with every component.
        const legacy = pack(components, dag);
        expect(r.stages.map((s) => s.componentIds)).toEqual(legacy.stages.map((s) => s.componentIds));
        expect(r.ratio).toBeCloseTo(legacy.ratio);
        for (const s of r.stages) {
          const labels = s.componentIds.map((id) => r.nodes.get(id)!.label).filter((l) => l !== null);
          expect(labels).toEqual(labels.map((_, k) => `${s.index}.${k + 1}`));
        }
        for (const node of r.nodes.values())
          for (const p of node.executingParents) expect(r.nodes.get(p)!.stage).toBeLessThan(node.stage);
      }),
      { numRuns: 200 },
    );
  });
});

describe('DAG input shapes', () => {
  it('accepts integer and string keys and parents, and bare integer keys in text', () => {
    expect(normalizeDag({ '1': [], 2: ['1'], 'Component 3': [1, '2'] })).toEqual({
      1: [],
      2: [1],
      3: [1, 2],
    });
    expect(parseDagText('{1: [], 2: [1], 3: [1, 2]}')).toEqual({ 1: [], 2: [1], 3: [1, 2] });
    expect(normalizeDag({ dag: { 1: null, 2: [1] } })).toEqual({ 1: [], 2: [1] });
  });

  it('names the bad key or parent', () => {
    expect(() => normalizeDag({ a: [] }, 'dag_3.json')).toThrow(
      new DagInputError('dag_3.json: key "a" is not a component id'),
    );
    expect(() => normalizeDag({ 2: ['x'] }, 'd')).toThrow(
      /parent 1 of component 2 is not a component id \(got "x"\)/,
    );
    expect(() => normalizeDag({ 2: 1 }, 'd')).toThrow(/parents of 2 must be a list/);
    expect(() => parseDagText('{1: [}', 'd')).toThrow(/d: not valid JSON/);
  });
});
