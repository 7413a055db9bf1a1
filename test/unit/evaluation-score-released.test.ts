import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../config';
import { readRecords } from '../../io/evaluation/report';
import { scoreTrajectories } from '../../io/evaluation/score';

/*
 * Released-style logs written from docs/sprint-format.md#released-logs, not from this project's output: a planner log
 * holds the model input after the system prompt, `<Question>\n{q}\n</Question>\n\n<think>\n` + the
 * history (each round: `<Plan_p>\n...\n</Plan_p>` + `\n\n<Execution_p>\n` + the executions joined by
 * blank lines + `\n</Execution_p>\n\n`) + `<Final_answer>\n...\n</Final_answer>`. File names:
 * planner_trajectory_<id>.txt and base_model_trajectory_<id>.txt, "/" as "_", ".json" dropped.
 */
const fixture = path.join(__dirname, '..', 'fixtures', 'eval', 'math500-sample.jsonl');
const questions = new Map(
  fs
    .readFileSync(fixture, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const row = JSON.parse(line) as { unique_id: string; problem: string };
        return [[row.unique_id, row.problem] as const];
      } catch {
        return [];
      }
    }),
);

interface ReleasedRound {
  plan: string;
  executions: string[];
}

function question(id: string): string {
  return `<Question>\n${questions.get(id)!}\n</Question>\n\n<think>\n`;
}

function plannerLog(id: string, rounds: ReleasedRound[], final: string | null): string {
  let history = '';
  rounds.forEach((r, i) => {
    const p = i + 1;
    const executions = r.executions.length
      ? r.executions.map((e, k) => `<execution_${p}.${k + 1}>\n${e}\n</execution_${p}.${k + 1}>\n\n`).join('')
      : 'No prompt to execute.';
    history += `<Plan_${p}>\n${r.plan}\n</Plan_${p}>\n\n<Execution_${p}>\n${executions.trim()}\n</Execution_${p}>\n\n`;
  });
  return question(id) + history + (final === null ? '' : `<Final_answer>\n${final}\n</Final_answer>`);
}

const releasedName = (prefix: string, id: string) =>
  `${prefix}${id.replace(/\.json$/, '').replace(/\//g, '_')}.txt`;

describe('eval score on a folder of released-style logs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-released-logs-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-released-scored-'));
  const twoRoundPlan1 = 'Subtract 6 from both sides first.\n<prompt_1.1> Compute 14 - 6. </prompt_1.1>';
  const twoRoundExec1 = '14 - 6 = 8, so 2x = 8.';
  const twoRoundPlan2 =
    'Based on execution_1.1:\nDivide by two.\n<prompt_2.1> Compute 8 / 2. </prompt_2.1>\n-----\nAlso check.\n<prompt_2.2> Check 2*4+6. </prompt_2.2>';
  const twoRoundExec2 = ['8 / 2 = 4.', '2*4 + 6 = 14, correct, and it is a longer execution.'];
  const twoRoundFinal = 'Solving gives x = 4.\n\n**Final Answer**\n\\boxed{4}';
  const sequentialGeometry = 'The distance is sqrt(8)... I am not sure.\n</think>\n\nI could not finish.';
  const logs: Record<string, string> = {
    [releasedName('planner_trajectory_', 'sample/prealgebra/1.json')]: plannerLog(
      'sample/prealgebra/1.json',
      [
        {
          plan: 'Add the fractions.\n<prompt_1.1> Compute 3/4 + 1/8. </prompt_1.1>',
          executions: ['6/8 + 1/8 = 7/8'],
        },
      ],
      '\\boxed{\\frac{7}{8}}',
    ),
    [releasedName('planner_trajectory_', 'sample/algebra/2.json')]: plannerLog(
      'sample/algebra/2.json',
      [
        { plan: twoRoundPlan1, executions: [twoRoundExec1] },
        { plan: twoRoundPlan2, executions: twoRoundExec2 },
      ],
      twoRoundFinal,
    ),
    [releasedName('planner_trajectory_', 'sample/geometry/3.json')]: plannerLog(
      'sample/geometry/3.json',
      [{ plan: 'Use the distance formula; no sub-task.', executions: [] }],
      'The distance is \\boxed{2}.',
    ),
    // answer forms of issue 13 (set membership) from a released checkpoint
    [releasedName('planner_trajectory_', 'sample/intermediate_algebra/4.json')]: plannerLog(
      'sample/intermediate_algebra/4.json',
      [{ plan: 'Solve |x| < 2.\n<prompt_1.1> Solve x^2 < 4. </prompt_1.1>', executions: ['-2 < x < 2'] }],
      '\\boxed{x \\in (-2,2)}',
    ),
    // cut at the length limit inside an execution: no final answer
    [releasedName('planner_trajectory_', 'sample/prealgebra/5.json')]:
      question('sample/prealgebra/5.json') +
      '<Plan_1>\nCompute the angle sum.\n<prompt_1.1> (6-2)*180 </prompt_1.1>\n</Plan_1>\n\n<Execution_1>\n<execution_1.1>\n' +
      'w'.repeat(120),
    [releasedName('base_model_trajectory_', 'sample/prealgebra/1.json')]:
      question('sample/prealgebra/1.json') +
      '3/4 is 6/8, plus 1/8.\n</think>\n\nThe sum is $10,\\!080/11,\\!520$ = \\boxed{0.875}.',
    [releasedName('base_model_trajectory_', 'sample/prealgebra/5.json')]:
      question('sample/prealgebra/5.json') + 'Each angle is 720/6.\n</think>\n\n\\boxed{120^{\\circ}}',
    // the question's own `\boxed{}` instruction is no answer
    [releasedName('base_model_trajectory_', 'sample/geometry/3.json')]:
      question('sample/geometry/3.json') + sequentialGeometry,
    'README.md': 'Logs of a released SPRINT run.',
  };
  for (const [name, text] of Object.entries(logs)) fs.writeFileSync(path.join(dir, name), text);

  it('scores every log file, splits SPRINT and baseline logs into two runs, and names what did not match', async () => {
    const res = await scoreTrajectories({
      trajectoriesDir: dir,
      benchmark: 'math500',
      dataFile: fixture,
      outDir: out,
      config: parseConfig({}),
    });
    expect(res.files).toBe(9);
    expect(res.matched).toHaveLength(8);
    expect(res.unmatched).toEqual([{ file: 'README.md', reason: 'no problem id in the name' }]);
    expect(res.runs.map((r) => [r.run, r.outDir, r.summary.problems, r.summary.correct, r.missing])).toEqual([
      ['sprint', path.join(out, 'sprint'), 5, 3, 0],
      ['sequential', path.join(out, 'sequential'), 3, 2, 2],
    ]);
    const files = JSON.parse(fs.readFileSync(path.join(out, 'files.json'), 'utf8')) as { matched: unknown[] };
    expect(files.matched).toHaveLength(8);

    const byId = (a: { problemId: string }, b: { problemId: string }) =>
      a.problemId.localeCompare(b.problemId);
    const sprint = (await readRecords(path.join(out, 'sprint'))).sort(byId);
    expect(sprint.map((r) => [r.problemId, r.method, r.correct, r.extracted])).toEqual([
      ['sample/algebra/2.json', 'sprint', true, '4'],
      ['sample/geometry/3.json', 'sprint', false, '2'],
      ['sample/intermediate_algebra/4.json', 'sprint', true, 'x \\in (-2,2)'],
      ['sample/prealgebra/1.json', 'sprint', true, '\\frac{7}{8}'],
      ['sample/prealgebra/5.json', 'sprint', false, null],
    ]);
    // seed definition (docs/sprint-format.md#sequential-tokens) at 4 characters a token; the question is not generated
    const tok = (s: string) => Math.ceil(s.trim().length / 4);
    const twoRounds = sprint.find((r) => r.problemId === 'sample/algebra/2.json')!;
    expect(twoRounds.rounds).toBe(3);
    expect(twoRounds.promptsPerRound).toEqual([1, 2, 0]);
    expect(twoRounds.tokens.sequential).toBe(
      tok(twoRoundPlan1) +
        tok(twoRoundExec1) +
        tok(twoRoundPlan2) +
        tok(twoRoundExec2[1]!) +
        tok(twoRoundFinal),
    );

    const sequential = (await readRecords(path.join(out, 'sequential'))).sort(byId);
    expect(sequential.map((r) => [r.problemId, r.method, r.correct, r.extracted])).toEqual([
      ['sample/geometry/3.json', 'sequential', false, null],
      ['sample/prealgebra/1.json', 'sequential', true, '0.875'],
      ['sample/prealgebra/5.json', 'sequential', true, '120^{\\circ}'],
    ]);
    expect(sequential.find((r) => r.problemId === 'sample/geometry/3.json')!.tokens.sequential).toBe(
      tok(sequentialGeometry),
    );
  });

  it('--grader math-verify grades the same outputs with math-verify and reports the agreement', async () => {
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-released-mv-'));
    const res = await scoreTrajectories({
      trajectoriesDir: dir,
      benchmark: 'math500',
      dataFile: fixture,
      outDir: out2,
      config: parseConfig({}),
      grader: 'math-verify',
    });
    const cc = res.crossCheck!;
    expect(cc.grader).toBe('math-verify');
    expect(cc.compared).toBe(8);
    expect(cc.rate).toBeCloseTo(cc.agreed / 8, 10);
    const correctFiles = res.runs.reduce((n, r) => n + r.summary.correct, 0);
    expect(cc.builtinCorrect).toBe(correctFiles);
    // plain cases both graders must decide alike: 7/8 boxed is right, 2 for 2\sqrt{2} is wrong
    const disagreeing = cc.disagreements.map((d) => d.id);
    expect(disagreeing).not.toContain('planner_trajectory_sample_prealgebra_1.txt');
    expect(disagreeing).not.toContain('planner_trajectory_sample_geometry_3.txt');
    expect(JSON.parse(fs.readFileSync(path.join(out2, 'grader-agreement.json'), 'utf8'))).toEqual(cc);
  }, 60_000);

  it('refuses a folder where no file names a problem, saying why for the first files', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-no-logs-'));
    fs.writeFileSync(
      path.join(empty, 'planner_trajectory_test_algebra_999.txt'),
      '<Final_answer>\n\\boxed{1}\n</Final_answer>',
    );
    await expect(
      scoreTrajectories({
        trajectoriesDir: empty,
        benchmark: 'math500',
        dataFile: fixture,
        outDir: path.join(empty, 'out'),
        config: parseConfig({}),
      }),
    ).rejects.toThrow(
      /no transcript .* \(1 files; .*planner_trajectory_test_algebra_999\.txt: no problem id in the name/,
    );
  });
});
