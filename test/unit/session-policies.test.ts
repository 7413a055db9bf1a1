import fc from 'fast-check';
import { parseConfig } from '../../config';
import { resolveSessionSettings } from '../../config/schema/session';
import { buildPlan, renderPlan } from '../../core/format';
import { readExecuteCallReply, readPlanCallReply } from '../../core/session/call-replies';
import {
  executorDiscard,
  plannerDiscard,
  plannerTries,
  policies,
  policyFor,
  profileChoices,
  sessionLoop,
  sessionProfiles,
  type PlannerReading,
  type SessionProfile,
} from '../../core/session/policies';

// Expectations written by hand from docs/sprint-format.md#inference-loop (platform) and 8 (released).

const limits = { planMaxTokens: 1000, executionMaxTokens: 2000, maxTries: 3 };
const aPlan: PlannerReading = { plan: buildPlan(1, ['Think.', { prompt: 'Add 2 and 3.' }]) };
const anAnswer: PlannerReading = { plan: { phase: 1, text: '', prompts: [], final: '5', problems: [] } };
const profile = fc.constantFrom(...sessionProfiles);

describe('loop policy registry', () => {
  it('names its profiles by its keys, released first; an unknown name is an error naming the known ones', () => {
    expect(sessionProfiles).toEqual(['released', 'platform']);
    expect(policyFor('platform')).toBe(policies.platform);
    expect(() => policyFor('fast')).toThrow('unknown session profile "fast" (known: released, platform)');
    expect(() => policyFor('toString')).toThrow(/unknown session profile "toString"/);
  });

  it('the config knows exactly the registry profiles, for the profile and for the reply handling', () => {
    expect(() => parseConfig({ session: { profile: 'fast' } }, 'test')).toThrow(
      /session\.profile: unknown profile "fast": known are released, platform/,
    );
    expect(() => parseConfig({ session: { replyHandling: 'fast' } }, 'test')).toThrow(
      /session\.replyHandling: unknown profile "fast"/,
    );
  });

  it('settings of a profile resolve to the rows its policy answers, and those give back its policy', () => {
    fc.assert(
      fc.property(profile, (p: SessionProfile) => {
        const settings = resolveSessionSettings({ profile: p });
        const choices = profileChoices(p);
        expect(settings).toMatchObject(choices);
        const loop = sessionLoop(settings);
        const { replies, ...answers } = loop;
        expect(replies).toBe(p);
        expect(answers).toEqual(policies[p]);
      }),
    );
  });

  it('a row set on its own takes that answer from the policy it names, the rest from the profile', () => {
    const loop = sessionLoop(resolveSessionSettings({ profile: 'platform', replyHandling: 'released' }));
    expect(loop.replies).toBe('released');
    expect(loop.readPlannerReply).toBe(policies.released.readPlannerReply);
    expect(loop.forcedFinalTail).toBe(policies.released.forcedFinalTail);
    expect(loop.retriesPlannerReplies).toBe(true);
    expect(loop.stops).toBe(policies.platform.stops);
    expect(loop.executorStrategy).toBe('shared-prefix');
    expect(loop.resampling).toEqual({ overLong: false, includeFinal: false });
    expect(sessionLoop(resolveSessionSettings({ releasedStops: false })).stops).toBe(policies.platform.stops);
  });
});

describe('platform policy (docs/sprint-format.md#inference-loop)', () => {
  const policy = policies.platform;

  it('stops each role where its own block closes; the forced answer opens right after the history', () => {
    expect(policy.stops).toEqual({ planner: ['</Plan_', '</Final_answer>'], executor: ['</execution_'] });
    expect(policy.forcedFinalTail).toBe('<Final_answer>\n');
    expect(policy.executorStrategy).toBe('shared-prefix');
    expect(policy.finalAnswerEarlyStop).toBe(false);
  });

  it('reads a reply without tags as the plan, never asking again', () => {
    const read = policy.readPlannerReply('Let me think.', { phase: 2, lastTry: false });
    expect(read.retry).toBeUndefined();
    expect(read.plan).toMatchObject({ phase: 2, text: 'Let me think.', prompts: [] });
  });

  it('a rendered plan reads back to the same prompts (property)', () => {
    const text = fc.stringMatching(/^[a-z][a-z ]{0,10}[a-z]$/);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            text,
            text.map((prompt) => ({ prompt })),
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 12 }),
        (parts, phase) => {
          const plan = buildPlan(phase, parts);
          const read = policy.readPlannerReply(renderPlan(plan), { phase, lastTry: false });
          expect(read.retry).toBeUndefined();
          expect(read.plan.prompts).toEqual(plan.prompts);
          expect(read.plan.text).toBe(plan.text);
        },
      ),
    );
  });

  it('cleans an executor reply of its closing tag', () => {
    expect(policy.readExecutorReply(' 2 + 3 = 5\n</execution_1.1>')).toEqual({
      text: '2 + 3 = 5',
      problems: [],
    });
  });
});

describe('released policy (docs/sprint-format.md#the-released-pipeline)', () => {
  const policy = policies.released;

  it('stops both roles at the same five strings; the forced answer follows a blank line', () => {
    const five = ['</Execution_', '</Plan_', '</Final_answer>', '</think>', '</execution_'];
    expect(policy.stops).toEqual({ planner: five, executor: five });
    expect(policy.forcedFinalTail).toBe('\n\n<Final_answer>\n');
    expect(policy.executorStrategy).toBe('reorder');
    expect(policy.finalAnswerEarlyStop).toBe(true);
  });

  it('asks again for a reply without tags, keeping it as a placeholder plan; the last try keeps it', () => {
    const again = policy.readPlannerReply(' Let me think. ', { phase: 3, lastTry: false });
    expect(again).toEqual({
      plan: {
        phase: 3,
        text: 'Let me think.',
        prompts: [],
        problems: ['no <Plan_ or <Final_answer> tag: retried'],
      },
      retry: 'no <Plan_ or <Final_answer> tag: retried',
    });
    const kept = policy.readPlannerReply('So it is \\boxed{4}.', { phase: 3, lastTry: true });
    expect(kept.retry).toBeUndefined();
    expect(kept.plan.final).toBe('So it is \\boxed{4}.');
  });

  it('never throws on any reply: it asks again (only before the last try, with no prompts) or yields a plan (property)', () => {
    const reply = fc.oneof(
      fc.string(),
      fc
        .array(
          fc.constantFrom(
            '<Plan_1>',
            '</Plan_1>',
            '<prompt_1.1>',
            '</prompt>',
            '<think>',
            'x \\boxed{2}',
            '\n',
          ),
        )
        .map((bits) => bits.join(' ')),
    );
    fc.assert(
      fc.property(
        reply,
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        (raw, lastTry, maxPrompts) => {
          const read = policy.readPlannerReply(raw, { phase: 1, lastTry, maxPrompts });
          if (read.retry !== undefined) {
            expect(lastTry).toBe(false);
            expect(read.plan.prompts).toEqual([]);
          } else if (maxPrompts !== undefined)
            expect(read.plan.prompts.length).toBeLessThanOrEqual(maxPrompts);
        },
      ),
    );
  });

  it('cleans an executor reply of think and execution tags', () => {
    expect(policy.readExecutorReply('<think>\n<execution_1.1> 5 </execution_1.1>')).toEqual({
      text: '5',
      problems: ['think/execution tags removed'],
    });
  });
});

describe('tries and discards', () => {
  const released = sessionLoop(profileChoices('released'));
  const platform = sessionLoop(profileChoices('platform'));

  it('the released loop resamples an over-long plan, then asks again for a reply without tags', () => {
    expect(plannerTries(released, limits, false)).toBe(3);
    const long = { attempt: 1, forced: false, completionTokens: 1001, reading: aPlan };
    expect(plannerDiscard(released, limits, long)).toBe('plan of 1001 tokens > 1000: resampled');
    expect(plannerDiscard(released, limits, { ...long, completionTokens: 1000 })).toBeUndefined();
    const untagged = { plan: aPlan.plan, retry: 'no tag' };
    expect(plannerDiscard(released, limits, { ...long, completionTokens: 10, reading: untagged })).toBe(
      'no tag',
    );
    expect(plannerDiscard(released, limits, { ...long, reading: anAnswer, forced: true })).toMatch(
      /resampled/,
    );
    expect(executorDiscard(released, limits, { attempt: 2, completionTokens: 2001 })).toBe(
      'execution of 2001 tokens > 2000: resampled',
    );
  });

  it('answers count as too long only when final answers are resampled; untagged replies are still asked again', () => {
    const loop = { ...released, resampling: { overLong: true, includeFinal: false } };
    const answer = { attempt: 1, forced: false, completionTokens: 5000, reading: anAnswer };
    expect(plannerDiscard(loop, limits, answer)).toBeUndefined();
    expect(plannerTries(loop, limits, true)).toBe(3);
    expect(plannerTries({ ...loop, retriesPlannerReplies: false }, limits, true)).toBe(1);
  });

  it('the platform loop keeps the first try of every call', () => {
    expect(plannerTries(platform, limits, false)).toBe(1);
    expect(
      plannerDiscard(platform, limits, { attempt: 1, forced: false, completionTokens: 9000, reading: aPlan }),
    ).toBeUndefined();
    expect(executorDiscard(platform, limits, { attempt: 1, completionTokens: 9000 })).toBeUndefined();
  });

  it('the last try is always kept, whatever the loop and reply (property)', () => {
    const rule = fc.record({
      resampling: fc.record({ overLong: fc.boolean(), includeFinal: fc.boolean() }),
      retriesPlannerReplies: fc.boolean(),
    });
    const reading = fc.constantFrom(aPlan, anAnswer, { plan: aPlan.plan, retry: 'no tag' });
    fc.assert(
      fc.property(
        rule,
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.nat(10_000),
        reading,
        (loop, maxTries, forced, completionTokens, read) => {
          const l = { ...limits, maxTries };
          const attempt = plannerTries(loop, l, forced);
          expect(
            plannerDiscard(loop, l, { attempt, forced, completionTokens, reading: read }),
          ).toBeUndefined();
          expect(executorDiscard(loop, l, { attempt: maxTries, completionTokens })).toBeUndefined();
        },
      ),
    );
  });
});

describe('call replies read by the policy the activity input names', () => {
  it('a forced answer keeps its opening; replies of inputs naming no policy are read as platform ones', () => {
    const forced = readPlanCallReply({ phase: 4, forcedFinal: true, replies: 'released' }, 'It is 5.');
    expect(forced.raw).toBe('<Final_answer>\nIt is 5.');
    expect(forced.reading.plan.final).toBe('It is 5.');
    const unnamed = readPlanCallReply({ phase: 1, forcedFinal: false, lastTry: false }, 'Let me think.');
    expect(unnamed.reading.retry).toBeUndefined();
    const released = readPlanCallReply(
      { phase: 1, forcedFinal: false, replies: 'released', lastTry: false },
      'Hm.',
    );
    expect(released.reading.retry).toBeDefined();
    expect(readExecuteCallReply({}, '<think>5')).toEqual({
      text: '5',
      problems: ['stray <think> tag removed'],
    });
    expect(readExecuteCallReply({ replies: 'released' }, '<think>5').problems).toEqual([
      'think/execution tags removed',
    ]);
  });
});
