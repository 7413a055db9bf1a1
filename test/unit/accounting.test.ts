import fc from 'fast-check';
import {
  accountRound,
  accountSequential,
  accountSession,
  estimatePromptEndTokens,
  roundSequentialStreaming,
  type RoundUsage,
} from '../../core/accounting';

const call = (completionTokens: number, promptTokens = 10, cachedPromptTokens?: number) => ({
  completionTokens,
  promptTokens,
  ...(cachedPromptTokens !== undefined ? { cachedPromptTokens } : {}),
});

describe('session accounting', () => {
  it('computes the seed definition, streaming refinement, totals and prefill per round and session', () => {
    const rounds: RoundUsage[] = [
      {
        planner: call(100, 50),
        promptEndTokens: [20, 90],
        executors: [call(300, 160, 150), call(50, 160, 150)],
      },
      { planner: call(40, 600, 500), executors: [] },
      // the final answer: planner tokens only
      { planner: call(10, 700, 640), executors: [] },
    ];
    const s = accountSession(rounds);
    expect(s.rounds.map((r) => r.sequential)).toEqual([400, 40, 10]);
    // round 1: max(100, 20 + 300, 90 + 50) = 320
    expect(s.rounds.map((r) => r.sequentialStreaming)).toEqual([320, 40, 10]);
    expect(s).toMatchObject({
      sequential: 450,
      sequentialStreaming: 370,
      total: 500,
      prompt: 1670,
      cachedPrompt: 1440,
    });
  });

  it('counts discarded attempts in cost but not in latency', () => {
    const r = accountRound({ planner: call(10), executors: [call(5)], discarded: [call(2000, 10, 4)] });
    expect(r).toMatchObject({ sequential: 15, total: 2015, prompt: 30, cachedPrompt: 4 });
  });

  it('without prompt offsets, the streaming figure equals the seed figure', () => {
    expect(roundSequentialStreaming(100, [], [30, 70])).toBe(170);
  });

  it('a sequential run counts its generated tokens', () => {
    expect(accountSequential(call(1234, 99, 7))).toEqual({
      sequential: 1234,
      sequentialStreaming: 1234,
      total: 1234,
      prompt: 99,
      cachedPrompt: 7,
    });
  });

  it('estimates prompt end offsets proportionally and within the plan', () => {
    expect(estimatePromptEndTokens(100, [25, 50, 200], 100)).toEqual([25, 50, 100]);
    expect(estimatePromptEndTokens(7, [3], 0)).toEqual([7]);
  });

  it('property: plan <= streaming <= seed <= total, and sums add up', () => {
    const roundArb = fc.record({
      planner: fc.nat(5000),
      ends: fc.array(fc.nat(5000), { maxLength: 16 }),
      executors: fc.array(fc.nat(8000), { maxLength: 16 }),
    });
    fc.assert(
      fc.property(fc.array(roundArb, { maxLength: 12 }), (spec) => {
        const rounds: RoundUsage[] = spec.map((r) => ({
          planner: call(r.planner),
          promptEndTokens: r.ends,
          executors: r.executors.map((e) => call(e)),
        }));
        const s = accountSession(rounds);
        s.rounds.forEach((r, i) => {
          expect(r.sequentialStreaming).toBeGreaterThanOrEqual(r.planner);
          expect(r.sequentialStreaming).toBeLessThanOrEqual(r.sequential);
          expect(r.sequential).toBeLessThanOrEqual(r.total);
          expect(r.total).toBe(spec[i]!.planner + spec[i]!.executors.reduce((a, b) => a + b, 0));
        });
        expect(s.sequential).toBe(s.rounds.reduce((a, r) => a + r.sequential, 0));
        expect(s.sequentialStreaming).toBeLessThanOrEqual(s.sequential);
        expect(s.total).toBeGreaterThanOrEqual(s.sequential);
      }),
    );
  });
});
