/*
 * Golden tests of the released trajectory layout (docs/sprint-format.md#released-trajectory-rendering). Every expected string below
 * is written by hand from the spec's rules, piece by piece, never produced by the renderer.
 */
import { packReleased } from '../../core/packing/released';
import type { Component, Dag } from '../../core/packing';
import {
  releasedRecord,
  renderReleasedStages,
  renderReleasedTrajectory,
} from '../../core/curation/released-render';

function c(
  id: number,
  plan: string | null,
  work: { prompt: string; execution: string; lines: [number, number] } | null,
  comment: string | null = null,
): Component {
  return {
    id,
    plan,
    prompt: work?.prompt ?? null,
    execution: work?.execution ?? null,
    planLines: plan === null ? null : [id * 10, id * 10],
    executionLines: work?.lines ?? null,
    ...(comment !== null ? { comment, commentLines: [id * 10 + 9, id * 10 + 9] as [number, number] } : {}),
  };
}

describe('released layout: comments, merges, non-consecutive ids, changing parent sets', () => {
  // 1: plan-only after its short execution (lines 2..2) is merged into the plan; it has a comment.
  // 2, 3: children of the plan-only 1, so they join stage 1; 2 has a comment on its result.
  // 4: no plan ("Lines not found"); uses 2 and 3. 6: uses 2 only. Stage 2 = [4, 6] (not consecutive).
  // 5: uses 4 (which has a comment). 7: plan-only, uses 4 and 6, with its own comment. Stage 3 = [5, 7].
  const components: Component[] = [
    c(
      1,
      'We need the area and the perimeter.',
      { prompt: 'Find the side.', execution: 'Diagonal 10 gives side 10/sqrt(2).', lines: [2, 2] },
      'That is about 7.07.',
    ),
    c(
      2,
      'Compute the area.',
      {
        prompt: 'Compute the area of a square with side 10/sqrt(2).',
        execution: 'Area = 100/2.\nSo area is 50.',
        lines: [4, 7],
      },
      'The area is an integer.',
    ),
    c(3, 'Compute the perimeter.', {
      prompt: 'Compute the perimeter of a square with side 10/sqrt(2).',
      execution: 'Perimeter = 4*10/sqrt(2) = 20*sqrt(2).',
      lines: [9, 12],
    }),
    c(
      4,
      null,
      { prompt: 'Add area and perimeter.', execution: 'Total = 50 + 20*sqrt(2).', lines: [13, 16] },
      'The total is irrational.',
    ),
    c(5, 'Now round the total.', {
      prompt: 'Round 50 + 20*sqrt(2) to two decimals.',
      execution: '20*sqrt(2) = 28.28, total 78.28.',
      lines: [17, 20],
    }),
    c(6, 'Check the area again.', {
      prompt: 'Recompute the area with d^2/2.',
      execution: '100/2 = 50, same.',
      lines: [21, 24],
    }),
    c(7, 'Both agree; answer.', null, 'Both agree.'),
  ];
  const dag: Dag = { 1: [], 2: [1], 3: [1], 4: [2, 3], 5: [4], 6: [2], 7: [4, 6] };

  const plan1 =
    'We need the area and the perimeter.\nDiagonal 10 gives side 10/sqrt(2).\n' + // merged plan + execution
    'That is about 7.07.\n' + // comment of a plan-only component follows its plan
    '\n' +
    'Compute the area.\n' +
    '\n<prompt_1.1> Compute the area of a square with side 10/sqrt(2). </prompt_1.1>\n' +
    '\n' +
    'Compute the perimeter.\n' +
    '\n<prompt_1.2> Compute the perimeter of a square with side 10/sqrt(2). </prompt_1.2>';
  const exec1 =
    '<execution_1.1>\nArea = 100/2.\nSo area is 50.\n</execution_1.1>\n' +
    '\n<execution_1.2>\nPerimeter = 4*10/sqrt(2) = 20*sqrt(2).\n</execution_1.2>';
  const plan2 =
    'Observation about execution_1.1: The area is an integer.\n' +
    '\n' +
    'Based on execution_1.1, execution_1.2:\n' +
    'None\n' + // absent plan prints as the released renderer printed it
    '\n<prompt_2.1> Add area and perimeter. </prompt_2.1>\n' +
    'Observation about execution_1.1: The area is an integer.\n' +
    '-----\n' + // 6 does not follow 4
    '\n' +
    'Based on execution_1.1:\n' + // the parent set changed
    'Check the area again.\n' +
    '\n<prompt_2.2> Recompute the area with d^2/2. </prompt_2.2>';
  const exec2 =
    '<execution_2.1>\nTotal = 50 + 20*sqrt(2).\n</execution_2.1>\n' +
    '\n<execution_2.2>\n100/2 = 50, same.\n</execution_2.2>';
  const plan3 =
    'Observation about execution_2.1: The total is irrational.\n' +
    '\n' +
    'Based on execution_2.1:\n' +
    'Now round the total.\n' +
    '\n<prompt_3.1> Round 50 + 20*sqrt(2) to two decimals. </prompt_3.1>\n' +
    'Observation about execution_2.1: The total is irrational.\n' +
    '-----\n' +
    '\n' +
    'Based on execution_2.1, execution_2.2:\n' +
    'Both agree; answer.\n' +
    'Both agree.'; // its own comment (plan-only), stripped at the end of the plan
  const exec3 = '<execution_3.1>\n20*sqrt(2) = 28.28, total 78.28.\n</execution_3.1>';
  const stage = (p: number, plan: string, exec: string) =>
    `\n<Plan_${p}>\n${plan}\n</Plan_${p}>\n\n<Execution_${p}>\n${exec}\n</Execution_${p}>\n`;

  it('packs into the stages the spec gives and keeps the trace', () => {
    const packed = packReleased(components, dag);
    expect(packed.stages.map((s) => s.componentIds)).toEqual([
      [1, 2, 3],
      [4, 6],
      [5, 7],
    ]);
    expect(packed.executingComponents).toBe(5);
    expect(packed.ratio).toBeCloseTo(5 / 3);
    expect(packed.kept).toBe(true);
    expect(packed.problems).toEqual([]);
  });

  it('renders every stage byte for byte', () => {
    const packed = packReleased(components, dag);
    expect(renderReleasedStages(packed)).toBe(
      stage(1, plan1, exec1) + stage(2, plan2, exec2) + stage(3, plan3, exec3),
    );
  });

  it('writes the trajectory file and the training record around the stages', () => {
    const packed = packReleased(components, dag);
    const solution =
      'The area is 50. The total is $50 + 20\\sqrt{2}$, so the answer is $\\boxed{50+20\\sqrt{2}}$.';
    const stages = stage(1, plan1, exec1) + stage(2, plan2, exec2) + stage(3, plan3, exec3);
    const final =
      '\n<Final_answer>\nThe total is $50 + 20\\sqrt{2}$, so the answer is $\\boxed{50+20\\sqrt{2}}$.\n</Final_answer>';
    expect(renderReleasedTrajectory('What is the area plus the perimeter?', packed, solution)).toBe(
      '<Question>\nWhat is the area plus the perimeter?\n</Question>\n' + stages + final,
    );
    const record = releasedRecord('t1', 'What is the area plus the perimeter?', packed, solution, {
      system: 'SYS',
    });
    expect(record.prompt).toBe('SYS\n\n<Question>\nWhat is the area plus the perimeter?\n</Question>\n\n');
    expect(record.completion).toBe(`<think>\n${stages.slice(1)}${final}\n</think>`);
  });
});

describe('released layout: plan-only stages, repeated parent sets, comment-free components', () => {
  const components: Component[] = [
    c(1, 'Try small cases.', {
      prompt: 'List n^2 mod 4 for n = 0..3.',
      execution: '0, 1, 0, 1.',
      lines: [2, 6],
    }),
    c(2, 'Only 0 and 1 occur.', null),
    c(3, 'So squares are 0 or 1 mod 4.\n**Final Answer**\nNo.', null),
  ];
  const dag: Dag = { 1: [], 2: [1], 3: [1] };

  it('writes "No prompt to execute." and "Based on" once while the parent set stays the same', () => {
    const packed = packReleased(components, dag);
    expect(packed.stages.map((s) => s.componentIds)).toEqual([[1], [2, 3]]);
    expect(renderReleasedStages(packed)).toBe(
      '\n<Plan_1>\nTry small cases.\n\n<prompt_1.1> List n^2 mod 4 for n = 0..3. </prompt_1.1>\n</Plan_1>\n' +
        '\n<Execution_1>\n<execution_1.1>\n0, 1, 0, 1.\n</execution_1.1>\n</Execution_1>\n' +
        '\n<Plan_2>\nBased on execution_1.1:\nOnly 0 and 1 occur.\n\nSo squares are 0 or 1 mod 4.\n**Final Answer**\nNo.\n</Plan_2>\n' +
        '\n<Execution_2>\nNo prompt to execute.\n</Execution_2>\n',
    );
    // 1 executing component over 2 stages: below 1.5, rejected.
    expect(packed.kept).toBe(false);
    expect(packed.reason).toBe('low-ratio');
  });

  it('removes "**Final Answer**\\n" from the training text and takes the final answer from the last boxed sentence on', () => {
    const packed = packReleased(components, dag);
    const record = releasedRecord(
      't2',
      'Is 2 a square mod 4?',
      packed,
      'Squares are 0 or 1 mod 4.\nHence no.\n\n**Final Answer**\n\\boxed{\\text{no}} indeed. Done.',
    );
    expect(record.completion).toContain('So squares are 0 or 1 mod 4.\nNo.\n</Plan_2>');
    expect(
      record.completion.endsWith(
        '\n<Final_answer>\n\\boxed{\\text{no}} indeed.\nDone.\n</Final_answer>\n</think>',
      ),
    ).toBe(true);
  });
});

describe('released layout: merged short executions without a plan', () => {
  it('a merged execution with no plan is the execution text alone, and the component stays a component', () => {
    const components: Component[] = [
      c(1, null, { prompt: 'Compute 2+2.', execution: '2+2 = 4.', lines: [1, 3] }), // 3 - 1 < 3: merged
      c(2, 'Square it.', { prompt: 'Square 4.', execution: '4^2 = 16.', lines: [5, 9] }),
      c(3, 'Cube it.', { prompt: 'Cube 4.', execution: '4^3 = 64.', lines: [10, 14] }),
    ];
    const packed = packReleased(components, { 1: [], 2: [1], 3: [1] });
    expect(packed.stages.map((s) => s.componentIds)).toEqual([[1, 2, 3]]);
    expect(renderReleasedStages(packed)).toBe(
      '\n<Plan_1>\n2+2 = 4.\n\nSquare it.\n\n<prompt_1.1> Square 4. </prompt_1.1>\n\nCube it.\n\n<prompt_1.2> Cube 4. </prompt_1.2>\n</Plan_1>\n' +
        '\n<Execution_1>\n<execution_1.1>\n4^2 = 16.\n</execution_1.1>\n\n<execution_1.2>\n4^3 = 64.\n</execution_1.2>\n</Execution_1>\n',
    );
    expect(packed.ratio).toBe(2);
  });
});
