import {
  planPrefixThrough,
  planReply,
  promptText,
  type RecordedCall,
  type Reply,
} from '../helpers/session-doubles';
import { startSessionTestEnv, type SessionTestEnv } from '../helpers/session-test-env';
import { waitFor } from '../helpers/workers';

const FINAL: Reply = { text: '<Final_answer>\n\\boxed{4}\n</Final_answer>' };

describe('session workflow streaming dispatch (mocked model calls)', () => {
  let t: SessionTestEnv;

  beforeAll(async () => {
    t = await startSessionTestEnv();
  });

  afterAll(() => t?.close());

  /** Resolves once the session has started an executor for prompt phase.k (the planner double waits on it). */
  const executorStarted = (
    workflowId: string,
    phase: number,
    k: number,
    matching = (_c: RecordedCall) => true,
  ) =>
    waitFor(
      () =>
        t.doubles
          .callsOf(workflowId)
          .some((c) => c.kind === 'execute' && c.input.phase === phase && c.input.k === k && matching(c)),
      30_000,
      `executor ${phase}.${k} to start while the plan is still being written`,
    );

  it('starts each executor when its prompt closes, before the plan ends, and runs it once', async () => {
    const plan1 = planReply(1, ['Split.', { prompt: 'add' }, { prompt: 'multiply' }]);
    let workflowId = '';
    const handle = await t.start(
      'streaming',
      {
        plan: async (input, call) => {
          if (input.phase !== 1) return FINAL;
          // As the streaming planner does: one signal per closed prompt while the reply is written.
          for (const k of [1, 2]) {
            await call.promptClosed(k, planPrefixThrough(plan1, 1, k));
            await executorStarted(workflowId, 1, k);
          }
          return plan1;
        },
        execute: (input) => ({ text: `did ${input.k}` }),
      },
      { streamingDispatch: true },
    );
    workflowId = handle.workflowId;
    const result = await handle.result();

    expect(result.status).toBe('completed');
    const calls = t.doubles.callsOf(workflowId);
    const plan = calls.find((c) => c.kind === 'plan' && c.input.phase === 1)!;
    expect(plan.kind === 'plan' && plan.input.streamSignals).toBe(true);
    const executors = calls.filter((c) => c.kind === 'execute');
    expect(executors.map((c) => c.kind === 'execute' && c.input.k)).toEqual([1, 2]);
    for (const e of executors) expect(e.startedAt).toBeLessThan(plan.endedAt!);
    const transcript = await t.transcript(workflowId);
    const round1 = transcript.rounds[0]!;
    expect(round1.executions).toEqual(['did 1', 'did 2']);
    expect(round1.calls.filter((c) => c.kind === 'execute').map((c) => [c.k, c.streamed])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(round1.problems).toEqual([]);
  });

  it('cancels the executors streamed from a plan that was replaced (resampled), and runs the kept plan', async () => {
    const replaced = planReply(1, ['Too wordy.', { prompt: 'the replaced prompt' }], 80);
    const kept = planReply(1, ['Better.', { prompt: 'the kept prompt' }], 10);
    const isReplaced = (c: RecordedCall) =>
      c.kind === 'execute' &&
      c.input.phase === 1 &&
      promptText(c.input.prompt).includes('the replaced prompt');
    let workflowId = '';
    const stale = () => t.doubles.callsOf(workflowId).filter(isReplaced);
    const handle = await t.start(
      'streaming-replaced',
      {
        plan: async (input, call) => {
          if (input.phase !== 1) return FINAL;
          if (input.planTry === 1) {
            await call.promptClosed(1, planPrefixThrough(replaced, 1, 1));
            await executorStarted(workflowId, 1, 1, isReplaced);
            return replaced;
          }
          return kept;
        },
        execute: async (_input, call) => {
          if (call.prompt.includes('the replaced prompt')) return call.untilCancelled();
          // The session stays open until the replaced executor has ended, so an ending that is not
          // the workflow's cancellation (the workflow gone) cannot pass for one.
          const ended = () => stale().every((c) => c.outcome !== 'running');
          await waitFor(ended, 20_000, 'the replaced executor to end').catch(() => undefined);
          return { text: 'kept done' };
        },
      },
      {
        streamingDispatch: true,
        heartbeatTimeoutMs: 1000,
        resample: { enabled: true, planMaxTokens: 50, maxTries: 2 },
      },
    );
    workflowId = handle.workflowId;
    const result = await handle.result();

    expect(result.status).toBe('completed');
    const transcript = await t.transcript(workflowId);
    const round1 = transcript.rounds[0]!;
    expect(round1.plan.prompts.map((p) => p.text)).toEqual(['the kept prompt']);
    expect(round1.executions).toEqual(['kept done']);
    expect(round1.problems).toEqual(['streamed executor 1/1/1 belonged to a replaced plan: cancelled']);
    expect(round1.calls.map((c) => [c.kind, c.try, c.discarded])).toEqual([
      ['plan', 1, 'plan of 80 tokens > 50: resampled'],
      ['plan', 2, undefined],
      ['execute', 1, undefined],
    ]);
    expect(stale().map((c) => c.outcome)).toEqual(['cancelled']);
  });
});
