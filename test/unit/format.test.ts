import fc from 'fast-check';
import {
  buildPlan,
  executorPrompt,
  extractFinalAnswer,
  NO_PROMPT,
  parseExecutionOutput,
  parsePlan,
  parseTrajectory,
  plannerPrompt,
  renderExecutionBlock,
  renderFinalAnswer,
  renderPlan,
  renderTrajectory,
  reorderPlanFor,
  type Round,
} from '../../core/format';

// Text without tag characters and without leading/trailing whitespace (well-formed content).
const word = fc.stringMatching(/^[A-Za-z0-9+=*\\{}().,:;!?'-]{1,8}$/);
const sentence = fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' '));
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 3 }).map((s) => s.join('\n'));
const planParts = fc.array(
  fc.oneof(
    paragraph,
    sentence.map((prompt) => ({ prompt })),
  ),
  { minLength: 1, maxLength: 7 },
);

describe('parsePlan', () => {
  it('parses a well-formed plan with its prompts', () => {
    const raw =
      '<Plan_1>\nFirst think.\n<prompt_1.1> compute a </prompt_1.1>\nthen\n<prompt_1.2> compute b </prompt_1.2>\n</Plan_1>';
    const plan = parsePlan(raw, 1);
    expect(plan.prompts).toEqual([
      { index: 1, text: 'compute a' },
      { index: 2, text: 'compute b' },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.final).toBeUndefined();
    expect(renderPlan(plan)).toBe(raw);
  });

  it('accepts the stop-trimmed form (no closing tag) without complaint', () => {
    const plan = parsePlan('<Plan_2>\nBased on execution_1.1:\n<prompt_2.1> x </prompt_2.1>\n', 2);
    expect(plan.text).toBe('Based on execution_1.1:\n<prompt_2.1> x </prompt_2.1>');
    expect(plan.problems).toEqual([]);
  });

  it('renumbers out-of-order, duplicated and missing prompt numbers and records it', () => {
    const raw =
      '<Plan_3>\na <prompt_3.2>B</prompt_3.2> b <prompt_3.2>C</prompt_3.2> <prompt_3.7>D</prompt_3.7> <prompt_2.1>E</prompt_2.1>';
    const plan = parsePlan(raw, 3);
    expect(plan.prompts.map((p) => p.text)).toEqual(['B', 'C', 'D', 'E']);
    expect(plan.text).toBe(
      'a <prompt_3.1>B</prompt_3.1> b <prompt_3.2>C</prompt_3.2> <prompt_3.3>D</prompt_3.3> <prompt_3.4>E</prompt_3.4>',
    );
    expect(plan.problems).toEqual([
      'prompt 3.2 (out of sequence) renumbered 3.1',
      'prompt 3.2 (duplicated) renumbered 3.2',
      'prompt 3.7 (out of sequence) renumbered 3.3',
      'prompt 2.1 (out of sequence) renumbered 3.4',
    ]);
  });

  it('handles stray <think>, extra whitespace and a length cut inside a prompt', () => {
    const raw =
      '<think>\n\n  <Plan_1>\n  start\n<prompt_1.1> alpha </prompt_1.1>\n<prompt_1.2> beta is cut off mid';
    const plan = parsePlan(raw, 1);
    expect(plan.prompts).toEqual([
      { index: 1, text: 'alpha' },
      { index: 2, text: 'beta is cut off mid' },
    ]);
    expect(plan.text).toBe(
      'start\n<prompt_1.1> alpha </prompt_1.1>\n<prompt_1.2> beta is cut off mid</prompt_1.2>',
    );
    expect(plan.problems).toContain('stray <think> tag removed');
    expect(plan.problems).toContain('prompt 1.2 not closed: took its text up to the next prompt or the end');
  });

  it('treats a reply with no tags as a plan with no prompts', () => {
    const plan = parsePlan('I will just think about it.', 4);
    expect(plan).toEqual({
      phase: 4,
      text: 'I will just think about it.',
      prompts: [],
      problems: ['no <Plan_4> tag: the whole reply taken as the plan'],
    });
  });

  it('records an empty reply', () => {
    expect(parsePlan('  \n', 2)).toEqual({
      phase: 2,
      text: '',
      prompts: [],
      problems: ['empty reply: taken as a plan with no prompts'],
    });
  });

  it('reads a final answer, closed or cut by the stop string', () => {
    expect(parsePlan('<Final_answer>\nThe answer is \\boxed{4}.\n</Final_answer>', 5)).toEqual({
      phase: 5,
      text: '',
      prompts: [],
      final: 'The answer is \\boxed{4}.',
      problems: [],
    });
    expect(parsePlan('\n<Final_answer>\n\\boxed{7}\n</Final_', 2).final).toBe('\\boxed{7}');
  });

  it('caps the fan-out: extra prompts keep their text without tags', () => {
    const raw =
      '<Plan_1>\n<prompt_1.1>a</prompt_1.1>\n<prompt_1.2>b</prompt_1.2>\n<prompt_1.3>c</prompt_1.3>';
    const plan = parsePlan(raw, 1, { maxPrompts: 2 });
    expect(plan.prompts.map((p) => p.text)).toEqual(['a', 'b']);
    expect(plan.text).toBe('<prompt_1.1>a</prompt_1.1>\n<prompt_1.2>b</prompt_1.2>\nc');
    expect(plan.problems).toEqual(['prompt 1.3 beyond the fan-out cap of 2: kept as plain text']);
  });

  it('drops empty prompts and stray closing tags, and cuts at a self-written execution block', () => {
    const plan = parsePlan(
      '<Plan_1>\nx <prompt_1.1>  </prompt_1.1> y </prompt_1.9>\n<Execution_1>\n<execution_1.1>',
      1,
    );
    expect(plan.prompts).toEqual([]);
    expect(plan.text).toBe('x  y');
    expect(plan.problems).toEqual([
      'planner wrote an <Execution_ block itself: cut there',
      'empty prompt 1.1 dropped',
      'stray </prompt_...> tag removed',
    ]);
  });

  it('property: render then parse is the identity for well-formed plans', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), planParts, (phase, parts) => {
        const plan = buildPlan(phase, parts);
        expect(parsePlan(renderPlan(plan), phase)).toEqual(plan);
        // The stop-trimmed form (what an engine returns at `</Plan_`) parses the same.
        expect(parsePlan(`<Plan_${phase}>\n${plan.text}\n`, phase)).toEqual(plan);
      }),
    );
  });

  it('property: any text parses without throwing, prompts are numbered 1..n and within the cap', () => {
    const junk = fc.array(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(
          '<Plan_1>',
          '</Plan_1>',
          '<prompt_1.1>',
          '</prompt_1.2>',
          '<prompt_9.9>',
          '<think>',
          '<Final_answer>',
          '</Final_answer>',
          '<Execution_1>',
          '\n',
        ),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(junk, fc.integer({ min: 1, max: 4 }), (parts, cap) => {
        const plan = parsePlan(parts.join(''), 1, { maxPrompts: cap });
        expect(plan.prompts.map((p) => p.index)).toEqual(plan.prompts.map((_, i) => i + 1));
        expect(plan.prompts.length).toBeLessThanOrEqual(cap);
        // The canonical text re-parses to the same prompts with no prompt problems.
        const again = parsePlan(renderPlan(plan), 1);
        expect(again.prompts).toEqual(plan.prompts);
      }),
    );
  });
});

describe('execution blocks, final answers and trajectories', () => {
  it('renders an empty execution block as No prompt to execute.', () => {
    expect(renderExecutionBlock(2, [])).toBe(`<Execution_2>\n${NO_PROMPT}\n</Execution_2>`);
    expect(renderExecutionBlock(1, ['a', 'b'])).toBe(
      '<Execution_1>\n<execution_1.1>\na\n</execution_1.1>\n\n<execution_1.2>\nb\n</execution_1.2>\n</Execution_1>',
    );
  });

  it('cleans executor output', () => {
    expect(parseExecutionOutput('  result 5\n</execution_1.2>')).toEqual({ text: 'result 5', problems: [] });
    expect(parseExecutionOutput('result 5\n</execu')).toEqual({ text: 'result 5', problems: [] });
    expect(parseExecutionOutput('<execution_1.1>\nx<think>')).toEqual({
      text: 'x',
      problems: ['executor repeated its opening tag', 'stray <think> tag removed'],
    });
  });

  it('extracts the last final answer', () => {
    expect(extractFinalAnswer(`x ${renderFinalAnswer('a')} y ${renderFinalAnswer('\\boxed{b}')}`)).toBe(
      '\\boxed{b}',
    );
    expect(extractFinalAnswer('no answer')).toBeNull();
    expect(extractFinalAnswer('<Final_answer>\ncut here')).toBe('cut here');
  });

  it('parses a whole SPRINT text with question and think wrapper', () => {
    const rounds: Round[] = [
      {
        plan: buildPlan(1, ['Start.', { prompt: 'do a' }, { prompt: 'do b' }]),
        executions: ['A done', 'B done'],
      },
      { plan: buildPlan(2, ['Based on execution_1.1, execution_1.2:', 'nothing to run']), executions: [] },
    ];
    const text = `<Question>\nWhat?\n</Question>\n\n<think>\n${renderTrajectory({ rounds, final: '\\boxed{3}' })}\n</think>`;
    expect(parseTrajectory(text)).toEqual({ question: 'What?', rounds, final: '\\boxed{3}', problems: [] });
  });

  it('reports a trajectory whose executions do not match its prompts', () => {
    const text =
      '<Plan_1>\n<prompt_1.1>a</prompt_1.1>\n<prompt_1.2>b</prompt_1.2>\n</Plan_1>\n<Execution_1>\n<execution_1.2>\nB\n</execution_1.2>\n</Execution_1>';
    const t = parseTrajectory(text);
    expect(t.rounds[0]!.executions).toEqual(['', 'B']);
    expect(t.final).toBeNull();
    expect(t.problems).toEqual(['phase 1: some prompts have no execution']);
  });

  it('property: render then parse is the identity for well-formed trajectories', () => {
    const execution = paragraph;
    const roundsArb = fc.array(fc.tuple(planParts, fc.array(execution, { maxLength: 6 })), { maxLength: 5 });
    fc.assert(
      fc.property(roundsArb, fc.option(paragraph, { nil: null }), (spec, final) => {
        const rounds: Round[] = spec.map(([parts, execs], i) => {
          const plan = buildPlan(i + 1, parts);
          return { plan, executions: plan.prompts.map((_, k) => execs[k] ?? `result ${k}`) };
        });
        const t = { rounds, final };
        expect(parseTrajectory(renderTrajectory(t))).toEqual({ ...t, problems: [] });
      }),
    );
  });
});

describe('loop prompts', () => {
  const r1: Round = { plan: buildPlan(1, ['Plan one.', { prompt: 'a' }]), executions: ['A'] };
  const plan2 = buildPlan(2, ['intro', { prompt: 'x' }, 'mid', { prompt: 'y' }, { prompt: 'z' }, 'outro']);

  it('planner and shared-prefix executor prompts share the history and the whole plan', () => {
    const planner = plannerPrompt('PREFIX ', [r1]);
    expect(planner).toBe(`PREFIX <think>\n${renderPlan(r1.plan)}\n\n${renderExecutionBlock(1, ['A'])}\n\n`);
    const e2 = executorPrompt('PREFIX ', [r1], plan2, 2, 'shared-prefix');
    const e3 = executorPrompt('PREFIX ', [r1], plan2, 3, 'shared-prefix');
    expect(e2).toBe(`${planner}${renderPlan(plan2)}\n\n<Execution_2>\n<execution_2.2>\n`);
    expect(e3.slice(0, -'2.3>\n'.length)).toBe(e2.slice(0, -'2.2>\n'.length));
  });

  it('reorder (docs/sprint-format.md#released-inference-loop): segments split after each prompt, earlier prompts dropped, own p.1, joined by blank lines', () => {
    // plan2.text = 'intro\n<prompt_2.1> x </prompt_2.1>\nmid\n<prompt_2.2> y </prompt_2.2>\n<prompt_2.3> z </prompt_2.3>\noutro'
    expect(reorderPlanFor(plan2, 2)).toBe(
      'intro\n\nmid\n<prompt_2.1> y </prompt_2.1>\n\n<prompt_2.2> z </prompt_2.2>\n\noutro',
    );
    expect(reorderPlanFor(plan2, 1)).toBe(
      'intro\n<prompt_2.1> x </prompt_2.1>\n\nmid\n<prompt_2.2> y </prompt_2.2>\n\n<prompt_2.3> z </prompt_2.3>\n\noutro',
    );
    expect(executorPrompt('', [], plan2, 3, 'reorder')).toMatch(
      /<prompt_2.1> z <\/prompt_2.1>\n\noutro\n<\/Plan_2>\n\n<Execution_2>\n<execution_2.1>\n$/,
    );
  });
});
