/*
 * `sprint curate import` on released-style artifacts written here by hand: the trace's released
 * line numbering, the separation markdown and the DAG JSON are read, and the trajectory must be
 * exactly what docs/sprint-format.md#the-released-pipeline says (expected text written by hand below).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importReleased } from '../../io/curation/released-import';
import { parseSeparation } from '../../core/curation/released-separation';
import { parseComponentsJson, ComponentInputError } from '../../core/curation/component-input';

// Released lines: 1 "We need ...", 2 "First ...", 3 "3 times 4 is 12.", 4 "That is 3 added ...",
// 5 "Indeed 3 plus 3 ...", 6 "So it is 12.", 7 "Next ...", 8 "5 times 6 is 30.", 9 "That is 5 ...",
// 10 "Indeed 5 ...", 11 "So it is 30.", 12 "Nice, both are even.", 13 "12 plus 30 is 42.",
// 14 "So the total is 42.", 15 "Let me double check 12.", 16 "3 plus 3 ...", 17 "Yes 12 is right.",
// 18 "It matches.", 19 "Both checks pass."
const thought = [
  'We need 3 times 4 plus 5 times 6.',
  'First compute 3 times 4.',
  '3 times 4 is 12. That is 3 added 4 times.',
  'Indeed 3 plus 3 is 6.',
  'So it is 12.',
  'Next compute 5 times 6.',
  '5 times 6 is 30. That is 5 added 6 times.',
  'Indeed 5 plus 5 is 10.',
  'So it is 30.',
  'Nice, both are even.',
  '12 plus 30 is 42.',
  'So the total is 42.',
  'Let me double check 12.',
  '3 plus 3 plus 3 plus 3 is 12.',
  'Yes 12 is right.',
  'It matches.',
  'Both checks pass.',
].join('\n');

const row = (problem: string, text: string) => ({
  problem,
  solution: '3 times 4 is 12 and 5 times 6 is 30. Their sum is $\\boxed{42}$.',
  conversations: [
    { from: 'user', value: problem },
    {
      from: 'assistant',
      value: `<|begin_of_thought|>\n\n${text}\n\n<|end_of_thought|>\n\n<|begin_of_solution|>42<|end_of_solution|>`,
    },
  ],
});

const component = (n: number, plan: string, prompt: string, execution: string, comment = 'Lines not found') =>
  `### Component ${n} (Lines 1-19)\n- **Description:** Step ${n}.\n- **Plan:** ${plan}\n- **Prompt:** ${prompt}\n- **Execution:** ${execution}\n- **Comment:** ${comment}\n`;

const separation = [
  component(1, 'Line 1', 'Restate the task.', 'Lines not found'),
  component(2, 'Line 2', 'Compute 3 times 4.', 'Lines 3-6'),
  component(3, 'Line 7', 'Compute 5 times 6.', 'Lines 8-11', 'Line 12'),
  component(4, 'Lines not found', 'Add the two products.', 'Lines 13-14'),
  component(5, 'Line 15', 'Verify that 3 times 4 is 12 by repeated addition.', 'Lines 16-19'),
  component(6, 'None', 'Unused.', 'Lines not found'),
].join('\n');

function writeArtifacts(): { dir: string; seps: string; dags: string; traces: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'released-import-'));
  const seps = path.join(dir, 'component_separation_output_gpt-4o');
  const dags = path.join(dir, 'created_dags_gpt-4o');
  fs.mkdirSync(seps);
  fs.mkdirSync(dags);
  // Problem 0: a range outside the trace. Problem 1: the good one. Problem 2: no DAG file.
  fs.writeFileSync(path.join(seps, 'component_separation_0.txt'), component(1, 'Line 1', 'x', 'Lines 40-45'));
  fs.writeFileSync(path.join(dags, 'created_dag_0.json'), '{"1": []}');
  fs.writeFileSync(path.join(seps, 'component_separation_1.txt'), separation);
  // Mixed id shapes; component 6 is absent (it takes no part).
  fs.writeFileSync(
    path.join(dags, 'created_dag_1.json'),
    '{"1": [], "2": ["1"], "3": [1], "4": [2, 3], "5": [2]}',
  );
  fs.writeFileSync(path.join(seps, 'component_separation_2.txt'), separation);
  const traces = path.join(dir, 'traces.jsonl');
  fs.writeFileSync(
    traces,
    [row('P0?', 'Short.'), row('What is 3*4 + 5*6?', thought), row('P2?', thought)]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  return { dir, seps, dags, traces };
}

const settings = {
  shortExecutionThreshold: 3,
  minRatio: 1.5,
  maxStages: 11,
  maxSampleTokens: 7168,
  testFraction: 0,
  splitSeed: 1,
  system: 'SYS',
};

const stage1 =
  '\n<Plan_1>\n' +
  'We need 3 times 4 plus 5 times 6.\n' +
  '\nFirst compute 3 times 4.\n' +
  '\n<prompt_1.1> Compute 3 times 4. </prompt_1.1>\n' +
  '\nNext compute 5 times 6.\n' +
  '\n<prompt_1.2> Compute 5 times 6. </prompt_1.2>' +
  '\n</Plan_1>\n\n<Execution_1>\n' +
  '<execution_1.1>\n3 times 4 is 12. That is 3 added 4 times.\nIndeed 3 plus 3 is 6.\nSo it is 12.\n</execution_1.1>\n' +
  '\n<execution_1.2>\n5 times 6 is 30. That is 5 added 6 times.\nIndeed 5 plus 5 is 10.\nSo it is 30.\n</execution_1.2>' +
  '\n</Execution_1>\n';
const plan2Body =
  'Based on execution_1.1, execution_1.2:\n' +
  '12 plus 30 is 42.\nSo the total is 42.\n' + // component 4: no plan, short execution merged: the execution alone
  '\nBased on execution_1.1:\n' +
  'Let me double check 12.\n' +
  '\n<prompt_2.1> Verify that 3 times 4 is 12 by repeated addition. </prompt_2.1>';
const stage2 = (planBody: string) =>
  `\n<Plan_2>\n${planBody}\n</Plan_2>\n\n<Execution_2>\n` +
  '<execution_2.1>\n3 plus 3 plus 3 plus 3 is 12.\nYes 12 is right.\nIt matches.\nBoth checks pass.\n</execution_2.1>' +
  '\n</Execution_2>\n';
const finalAnswer = '\n<Final_answer>\nTheir sum is $\\boxed{42}$.\n</Final_answer>';

describe('sprint curate import (released artifacts)', () => {
  it('renders exactly what the spec says, comment-free as released, and names what failed', async () => {
    const a = writeArtifacts();
    const out = path.join(a.dir, 'out');
    const result = await importReleased({
      separationsDir: a.seps,
      dagsDir: a.dags,
      tracesFile: a.traces,
      outDir: out,
      settings,
    });
    const trajectory = fs.readFileSync(path.join(out, 'trajectories', 'trajectory_data_1.txt'), 'utf8');
    expect(trajectory).toBe(
      '<Question>\nWhat is 3*4 + 5*6?\n</Question>\n' + stage1 + stage2(plan2Body) + finalAnswer,
    );

    const train = fs
      .readFileSync(path.join(out, 'sprint', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(train).toHaveLength(1);
    const record = JSON.parse(train[0]!) as { prompt: string; completion: string };
    expect(record.prompt).toBe('SYS\n\n<Question>\nWhat is 3*4 + 5*6?\n</Question>\n\n');
    expect(record.completion).toBe(
      `<think>\n${(stage1 + stage2(plan2Body)).slice(1)}${finalAnswer}\n</think>`,
    );

    const outcomes = fs
      .readFileSync(path.join(out, 'outcomes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            index: number;
            status: string;
            reason?: string;
            detail?: string;
            problems?: string[];
          },
      );
    expect(outcomes.map((o) => [o.index, o.status, o.reason])).toEqual([
      [0, 'failed', 'invalid-separation'],
      [1, 'kept', undefined],
      [2, 'failed', 'no-dag'],
    ]);
    expect(outcomes[0]!.detail).toBe(
      'component_separation_0.txt: component 1 execution: range 40-45 is outside lines 1-1',
    );
    expect(outcomes[1]!.problems).toEqual(['components absent from the DAG take no part: 6']);
    expect(result.stats).toMatchObject({
      traces: 3,
      kept: 1,
      failed: 2,
      format: 'released',
      extractor: 'released-import',
    });
    expect(result.stats.samplesByStages).toEqual([{ label: '2', count: 1 }]);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain(
      'Format: **released**. Extractor: **released-import**.',
    );
  });

  it('with --keep-comments, a comment becomes an observation in the plan of the component that uses the result', async () => {
    const a = writeArtifacts();
    const out = path.join(a.dir, 'out');
    await importReleased({
      separationsDir: a.seps,
      dagsDir: a.dags,
      tracesFile: a.traces,
      outDir: out,
      settings,
      keepComments: true,
    });
    const trajectory = fs.readFileSync(path.join(out, 'trajectories', 'trajectory_data_1.txt'), 'utf8');
    expect(trajectory).toBe(
      '<Question>\nWhat is 3*4 + 5*6?\n</Question>\n' +
        stage1 +
        stage2(`Observation about execution_1.2: Nice, both are even.\n\n${plan2Body}`) +
        finalAnswer,
    );
  });
});

describe('separation and component shapes', () => {
  it('reads singular and plural ranges, "not found" and "None", and names a field that is missing', () => {
    const parsed = parseSeparation(separation);
    expect(parsed.components.map((c) => [c.id, c.plan.range, c.execution.range, c.comment.range])).toEqual([
      [1, [1, 1], null, null],
      [2, [2, 2], [3, 6], null],
      [3, [7, 7], [8, 11], [12, 12]],
      [4, null, [13, 14], null],
      [5, [15, 15], [16, 19], null],
      [6, null, null, null],
    ]);
    expect(parsed.problems).toEqual([]);
    expect(() =>
      parseSeparation('### Component 1\n- **Description:** d\n- **Plan:** Line 1\n', 'sep_9.txt'),
    ).toThrow('sep_9.txt: component 1 has no "- **Prompt:**" line');
    const odd = parseSeparation(component(1, 'the first two', 'p', 'Lines 25 -- 28'));
    expect(odd.components[0]!.execution.range).toEqual([25, 28]);
    expect(odd.problems).toEqual(['component 1 plan: "the first two" is not a line range; read as no lines']);
  });

  it('accepts components JSON with empty plans, text ranges, string ids and comments; names bad fields', () => {
    const cs = parseComponentsJson(
      [
        {
          id: '1',
          plan: 'None',
          planLines: 'Lines not found',
          prompt: 'p',
          execution: 'e',
          executionLines: 'Lines 2-6',
        },
        {
          id: 2,
          plan: 'q',
          planLines: [7, 7],
          prompt: null,
          execution: null,
          executionLines: null,
          comment: 'c',
          commentLines: [8, 8],
        },
      ],
      'c.json',
    );
    expect(cs[0]).toMatchObject({ id: 1, plan: null, planLines: null, executionLines: [2, 6] });
    expect(cs[1]).toMatchObject({ comment: 'c', commentLines: [8, 8] });
    expect(() => parseComponentsJson([{ id: 3, plan: 'x', planLines: [5, 2] }], 'c.json')).toThrow(
      new ComponentInputError('c.json: component 3 "planLines" [5, 2] runs backwards'),
    );
    expect(() => parseComponentsJson([{ id: 'x' }], 'c.json')).toThrow(/component 1 has no integer "id"/);
  });
});
