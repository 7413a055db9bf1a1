import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ErrorType } from '../../core/errors';
import { callNames, planReply, promptText } from '../helpers/session-doubles';
import { startSessionTestEnv, type SessionTestEnv } from '../helpers/session-test-env';

describe('session workflow rounds (mocked model calls)', () => {
  let t: SessionTestEnv;

  beforeAll(async () => {
    t = await startSessionTestEnv();
  });

  afterAll(() => t?.close());

  it('forces the last phase to answer when the planner never does', async () => {
    const handle = await t.start(
      'forced',
      {
        plan: (input) =>
          input.forcedFinal
            ? { text: '\\boxed{2}\n</Final_answer>' }
            : planReply(input.phase, ['still thinking', { prompt: `check ${input.phase}` }]),
        execute: (input) => ({ text: `checked ${input.phase}.${input.k}` }),
      },
      { maxPhases: 3 },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(result.finalAnswer).toBe('\\boxed{2}');
    expect(result.promptsPerRound).toEqual([1, 1, 0]);
    const calls = t.doubles.callsOf(handle.workflowId);
    expect(callNames(calls)).toEqual(['plan 1', 'execute 1.1', 'plan 2', 'execute 2.1', 'plan 3']);
    const plans = calls.flatMap((c) => (c.kind === 'plan' ? [c.input] : []));
    expect(plans.map((p) => p.forcedFinal)).toEqual([false, false, true]);
    // The forced call asks for the answer: its prompt ends in the opened answer tag.
    expect(promptText(plans[2]!.prompt).endsWith('</Execution_2>\n\n<Final_answer>\n')).toBe(true);
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.rounds.map((r) => r.forcedFinal)).toEqual([false, false, true]);
    expect(transcript.final).toBe('\\boxed{2}');
  });

  it('resamples an over-long plan: the replaced plan is recorded as discarded and its prompts never run', async () => {
    let plan1Tries = 0;
    const handle = await t.start(
      'resample-plan',
      {
        plan: (input) => {
          if (input.phase === 2)
            return { text: '<Final_answer>\n\\boxed{7}\n</Final_answer>', completionTokens: 80 };
          plan1Tries += 1;
          return plan1Tries === 1
            ? planReply(1, ['rambling', { prompt: 'the long way' }], 80)
            : planReply(1, ['short', { prompt: 'the short way' }], 10);
        },
        execute: (input, call) => ({
          text: call.prompt.includes('the short way') ? 'short done' : 'long done',
        }),
      },
      { resample: { enabled: true, planMaxTokens: 50, executionMaxTokens: 50, maxTries: 3 } },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(result.finalAnswer).toBe('\\boxed{7}');
    // A final answer is not resampled unless resample.includeFinal: the 80-token answer stands.
    expect(callNames(t.doubles.callsOf(handle.workflowId))).toEqual([
      'plan 1',
      'plan 1',
      'execute 1.1',
      'plan 2',
    ]);
    const transcript = await t.transcript(handle.workflowId);
    const round1 = transcript.rounds[0]!;
    expect(round1.plan.prompts.map((p) => p.text)).toEqual(['the short way']);
    expect(round1.executions).toEqual(['short done']);
    expect(round1.calls.map((c) => [c.kind, c.try, c.discarded])).toEqual([
      ['plan', 1, 'plan of 80 tokens > 50: resampled'],
      ['plan', 2, undefined],
      ['execute', 1, undefined],
    ]);
    expect(transcript.rounds[1]!.calls.map((c) => c.discarded)).toEqual([undefined]);
  });

  it('resamples over-long executions up to maxTries, keeping the last try when every one is too long', async () => {
    const tries = new Map<number, number>();
    const handle = await t.start(
      'resample-exec',
      {
        plan: (input) =>
          input.phase === 1
            ? planReply(1, ['split', { prompt: 'always long' }, { prompt: 'long once' }])
            : { text: '<Final_answer>\n\\boxed{3}\n</Final_answer>' },
        execute: (input) => {
          const n = (tries.get(input.k) ?? 0) + 1;
          tries.set(input.k, n);
          if (input.k === 1) return { text: `long ${n}`, completionTokens: 60 + n };
          return n === 1 ? { text: 'long', completionTokens: 90 } : { text: 'fits', completionTokens: 5 };
        },
      },
      { resample: { enabled: true, executionMaxTokens: 50, maxTries: 3 } },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(tries).toEqual(
      new Map([
        [1, 3],
        [2, 2],
      ]),
    );
    const transcript = await t.transcript(handle.workflowId);
    const round1 = transcript.rounds[0]!;
    expect(round1.executions).toEqual(['long 3', 'fits']);
    const executes = round1.calls.filter((c) => c.kind === 'execute').map((c) => [c.k, c.try, c.discarded]);
    expect(executes).toEqual([
      [1, 1, 'execution of 61 tokens > 50: resampled'],
      [1, 2, 'execution of 62 tokens > 50: resampled'],
      [1, 3, undefined],
      [2, 1, 'execution of 90 tokens > 50: resampled'],
      [2, 2, undefined],
    ]);
  });

  it('an executor the engine refuses for good fails the session once, with the rounds it had and the reason', async () => {
    const handle = await t.start(
      'refused',
      {
        plan: (input) =>
          planReply(input.phase, ['go on', { prompt: 'fine' }, { prompt: `refused in ${input.phase}` }]),
        execute: (input) => {
          if (input.phase === 2 && input.k === 2)
            // Not marked non-retryable: the workflow's nonRetryableErrorTypes must stop the retries.
            throw ApplicationFailure.create({
              type: ErrorType.ModelCall,
              message: 'engine answered 400: prompt too long',
            });
          return { text: `ok ${input.phase}.${input.k}` };
        },
      },
      { retry: { initialIntervalMs: 50, maximumIntervalMs: 100 } },
    );

    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const refusals = t.doubles
      .callsOf(handle.workflowId)
      .filter((c) => c.kind === 'execute' && c.input.phase === 2 && c.input.k === 2);
    expect(refusals.map((c) => [c.attempt, c.outcome])).toEqual([[1, 'failed']]);
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.status).toBe('failed');
    expect(transcript.rounds.map((r) => r.executions)).toEqual([['ok 1.1', 'ok 1.2']]);
    expect(transcript.problems).toEqual([
      expect.stringMatching(/^session failed: .*engine answered 400: prompt too long/),
    ]);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('FAILED');
    expect((desc.searchAttributes as Record<string, unknown[]>).SprintStatus).toEqual(['failed']);
  });

  it('an executor failing for a while is retried by Temporal and the session completes with its later attempt', async () => {
    const handle = await t.start(
      'flaky',
      {
        plan: (input) =>
          input.phase === 1
            ? planReply(1, ['one step', { prompt: 'flaky step' }])
            : { text: '<Final_answer>\n\\boxed{5}\n</Final_answer>' },
        execute: (_input, call) => {
          if (call.attempt < 3)
            throw ApplicationFailure.create({
              type: ErrorType.ModelCallRetryable,
              message: 'engine answered 503',
            });
          return { text: 'steady now' };
        },
      },
      { retry: { initialIntervalMs: 50, maximumIntervalMs: 100 } },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(callNames(t.doubles.callsOf(handle.workflowId))).toEqual([
      'plan 1',
      'execute 1.1',
      'execute 1.1 (attempt 2)',
      'execute 1.1 (attempt 3)',
      'plan 2',
    ]);
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.rounds[0]!.executions).toEqual(['steady now']);
    const exec = transcript.rounds[0]!.calls.find((c) => c.kind === 'execute')!;
    expect([exec.try, exec.attempt, exec.discarded]).toEqual([1, 3, undefined]);
  });
});
