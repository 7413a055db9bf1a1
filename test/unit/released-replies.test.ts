import fc from 'fast-check';
import {
  holdsFinalAnswerMarker,
  releasedExecutionOutput,
  releasedPlannerReply,
  reorderPlanFor,
} from '../../core/format';

// Expectations written by hand from docs/sprint-format.md#released-inference-loop (the released loop's reply handling).

describe('released planner reply handling (docs/sprint-format.md#released-inference-loop)', () => {
  it('a reply with a Plan tag: think and Plan tags stripped, prompts renumbered p.1, p.2 in order', () => {
    const raw =
      '<think>\n<Plan_7>\nFirst compute.\n<prompt_3.4> Add 2 and 3. </prompt_3.4>\nthen\n<prompt> Square 4. </prompt>\n';
    const read = releasedPlannerReply(raw, 2, false);
    expect(read).toEqual({
      kind: 'plan',
      plan: {
        phase: 2,
        text: 'First compute.\n<prompt_2.1> Add 2 and 3. </prompt_2.1>\nthen\n<prompt_2.2> Square 4. </prompt_2.2>',
        prompts: [
          { index: 1, text: 'Add 2 and 3.' },
          { index: 2, text: 'Square 4.' },
        ],
        problems: ['stray <think> tag removed'],
      },
    });
  });

  it('a reply with a Final_answer tag is the answer, tags stripped, even with plan text before it', () => {
    const read = releasedPlannerReply('So we are done.\n<Final_answer>\nThe sum is \\boxed{30}.\n', 4, false);
    expect(read).toEqual({
      kind: 'plan',
      plan: {
        phase: 4,
        text: '',
        prompts: [],
        final: 'So we are done.\n\nThe sum is \\boxed{30}.',
        problems: [],
      },
    });
  });

  it('a reply without tags is retried, except on the last try', () => {
    expect(releasedPlannerReply('Let me think about it.', 1, false)).toEqual({
      kind: 'retry',
      reason: 'no <Plan_ or <Final_answer> tag: retried',
    });
    const asPlan = releasedPlannerReply(
      'Let me think.\n<execution_1.1>\n<prompt_1.1> x </prompt_1.1>',
      1,
      true,
    );
    expect(asPlan.kind === 'plan' && asPlan.plan).toMatchObject({
      text: 'Let me think.\n\n<prompt_1.1> x </prompt_1.1>',
      prompts: [{ index: 1, text: 'x' }],
    });
    const asFinal = releasedPlannerReply('<Execution_1>So it is \\boxed{5}.</Execution_1>', 1, true);
    expect(asFinal.kind === 'plan' && asFinal.plan.final).toBe('So it is \\boxed{5}.');
  });

  it('every prompt is kept when no cap is set; a configured cap is recorded as a problem', () => {
    const raw = `<Plan_1>\n${Array.from({ length: 20 }, (_, i) => `<prompt_1.${i + 1}> p${i + 1} </prompt_1.${i + 1}>`).join('\n')}`;
    const all = releasedPlannerReply(raw, 1, false);
    expect(all.kind === 'plan' && all.plan.prompts).toHaveLength(20);
    const capped = releasedPlannerReply(raw, 1, false, 18);
    if (capped.kind !== 'plan') throw new Error('expected a plan');
    expect(capped.plan.prompts).toHaveLength(18);
    expect(capped.plan.text.endsWith('</prompt_1.18>\n p19 \n p20')).toBe(true);
    expect(capped.plan.problems).toEqual([
      '20 prompts, over the fan-out cap of 18: prompts 1.19..1.20 kept as plain text',
    ]);
  });

  it('renumbers any well-formed plan to p.1..p.n (property)', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, word), { maxLength: 8 }),
        fc.integer({ min: 1, max: 11 }),
        (parts, p) => {
          const body = parts
            .map(([t, q], i) => `${t}\n<prompt_9.${9 - i}> ${q} </prompt_9.${9 - i}>`)
            .join('\n');
          const read = releasedPlannerReply(`<Plan_${p}>\n${body}\n`, p, false);
          if (read.kind !== 'plan') return false;
          return (
            read.plan.prompts.map((x) => x.index).join() === parts.map((_, i) => i + 1).join() &&
            read.plan.prompts.every((x, i) => x.text === parts[i]![1])
          );
        },
      ),
    );
  });

  it('the early stop needs both **Final Answer and \\boxed', () => {
    expect(holdsFinalAnswerMarker('**Final Answer**\n\\boxed{3}')).toBe(true);
    expect(holdsFinalAnswerMarker('**Final Answer** is 3')).toBe(false);
    expect(holdsFinalAnswerMarker('\\boxed{3}')).toBe(false);
  });
});

describe('released executor output cleaning (docs/sprint-format.md#released-inference-loop)', () => {
  it('removes prompt blocks, think and (E|e)xecution tags, and trims', () => {
    const raw =
      '<think>\n4 + 5 = 9.\n<prompt_2.2> next\nstep </prompt_2.2>\n</Execution_1>\n<execution_2.1>\nSo 9.\n';
    expect(releasedExecutionOutput(raw).text).toBe('4 + 5 = 9.\n\n\n\nSo 9.');
  });

  it('leaves a clean reply as it is, trimmed', () => {
    expect(releasedExecutionOutput('\n  1 + 1 = 2.\n')).toEqual({ text: '1 + 1 = 2.', problems: [] });
  });
});

describe('reorder rewrite edge cases (docs/sprint-format.md#released-inference-loop)', () => {
  it('an earlier segment that was only a prompt leaves an empty segment between blank lines', () => {
    const plan = { phase: 3, text: '<prompt_3.1> a </prompt_3.1>\n<prompt_3.2> b </prompt_3.2>\nend' };
    expect(reorderPlanFor(plan, 2)).toBe('\n\n<prompt_3.1> b </prompt_3.1>\n\nend');
  });

  it('the trailing segment after the last prompt follows it', () => {
    const plan = { phase: 1, text: 'x\n<prompt_1.1> a </prompt_1.1> tail' };
    expect(reorderPlanFor(plan, 1)).toBe('x\n<prompt_1.1> a </prompt_1.1>\n\ntail');
  });
});
