import { packSummary } from '../../cli/actions/curate-import';
import { parseComponentsJson } from '../../core/curation/component-input';
import { normalizeDag } from '../../core/packing/dag-input';

// A released-style extraction the old `curate pack` refused: component 2 has no plan ("None").
const components = parseComponentsJson([
  { id: 1, plan: 'Set up.', planLines: [1, 1], prompt: null, execution: null, executionLines: null },
  {
    id: 2,
    plan: 'None',
    planLines: 'Lines not found',
    prompt: 'Do A.',
    execution: 'A work.',
    executionLines: 'Lines 2-6',
  },
  {
    id: 3,
    plan: 'Then B.',
    planLines: [7, 7],
    prompt: 'Do B.',
    execution: 'B work.',
    executionLines: [8, 12],
  },
  { id: 4, plan: 'Unused.', planLines: [13, 13], prompt: null, execution: null, executionLines: null },
]);
const dag = normalizeDag({ '1': [], '2': ['1'], '3': [1] });
const packing = { shortExecutionThreshold: 3, minRatio: 1.5, maxStages: 11 };

describe('curate pack summary', () => {
  it('packs a released extraction with an empty plan and notes the component outside the DAG', () => {
    const s = packSummary(components, dag, packing, 'released');
    expect(s.stages).toEqual([
      {
        index: 1,
        componentIds: [1, 2, 3],
        executions: [
          { label: '1.1', componentId: 2 },
          { label: '1.2', componentId: 3 },
        ],
      },
    ]);
    expect(s.ratio).toBe(2);
    expect(s.problems).toEqual(['components absent from the DAG take no part: 4']);
    expect(s.rendered).toBe(
      '<Plan_1>\nSet up.\n\nNone\n\n<prompt_1.1> Do A. </prompt_1.1>\n\nThen B.\n\n<prompt_1.2> Do B. </prompt_1.2>\n</Plan_1>\n' +
        '\n<Execution_1>\n<execution_1.1>\nA work.\n</execution_1.1>\n\n<execution_1.2>\nB work.\n</execution_1.2>\n</Execution_1>\n',
    );
  });

  it('keeps the legacy layout on request (components outside the DAG are roots there)', () => {
    const s = packSummary(components, dag, packing, 'legacy');
    expect(s.stages.map((x) => x.componentIds)).toEqual([[1, 2, 3, 4]]);
    expect(s.rendered).toContain('-----');
  });
});
