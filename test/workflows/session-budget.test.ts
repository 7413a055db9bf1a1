import { callNames, planReply } from '../helpers/session-doubles';
import { startSessionTestEnv, type SessionTestEnv } from '../helpers/session-test-env';

describe('session budgets (mocked model calls)', () => {
  let t: SessionTestEnv;

  beforeAll(async () => {
    t = await startSessionTestEnv();
  });

  afterAll(() => t?.close());

  it('forces the answer once the session spent its budget of calls, and says so', async () => {
    const handle = await t.start(
      'budget-calls',
      {
        plan: (input) =>
          input.forcedFinal
            ? { text: '\\boxed{5}\n</Final_answer>' }
            : planReply(input.phase, [
                'more',
                { prompt: `a ${input.phase}` },
                { prompt: `b ${input.phase}` },
              ]),
        execute: (input) => ({ text: `done ${input.phase}.${input.k}` }),
      },
      { maxPhases: 12, budget: { maxCalls: 5, maxTokens: 1_000_000 } },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(result.finalAnswer).toBe('\\boxed{5}');
    // Two rounds of three calls pass the 5-call budget: the third round is the forced answer.
    expect(callNames(t.doubles.callsOf(handle.workflowId))).toEqual([
      'plan 1',
      'execute 1.1',
      'execute 1.2',
      'plan 2',
      'execute 2.1',
      'execute 2.2',
      'plan 3',
    ]);
    expect(result.problems).toContain(
      'session budget: 6 model calls reached the limit of 5: final answer forced',
    );
  });

  it('forces the answer once the generated tokens reach the budget', async () => {
    const handle = await t.start(
      'budget-tokens',
      {
        plan: (input) =>
          input.forcedFinal
            ? { text: '\\boxed{1}\n</Final_answer>' }
            : planReply(input.phase, ['go on', { prompt: `p ${input.phase}` }], 40),
        execute: () => ({ text: 'ok', completionTokens: 30 }),
      },
      { maxPhases: 12, budget: { maxCalls: 400, maxTokens: 100 } },
    );
    const result = await handle.result();

    expect(result.finalAnswer).toBe('\\boxed{1}');
    expect(result.promptsPerRound).toEqual([1, 1, 0]);
    expect(result.problems).toContain(
      'session budget: 140 generated tokens reached the limit of 100: final answer forced',
    );
  });

  it('runs no more executors than maxPromptsPerRound and records the cut', async () => {
    const prompts = Array.from({ length: 6 }, (_, i) => ({ prompt: `part ${i + 1}` }));
    const handle = await t.start(
      'fan-out-cap',
      {
        plan: (input) =>
          input.phase === 1
            ? planReply(1, ['split', ...prompts])
            : { text: '<Final_answer>\n\\boxed{6}\n</Final_answer>' },
        execute: (input) => ({ text: `did ${input.k}` }),
      },
      { maxPromptsPerRound: 4 },
    );
    const result = await handle.result();

    expect(result.finalAnswer).toBe('\\boxed{6}');
    const executed = t.doubles.callsOf(handle.workflowId).filter((c) => c.kind === 'execute');
    expect(executed).toHaveLength(4);
    expect(executed.map((c) => c.input.k)).toEqual([1, 2, 3, 4]);
    expect(result.problems.filter((p) => p.includes('beyond the fan-out cap of 4'))).toHaveLength(2);
  });
});
