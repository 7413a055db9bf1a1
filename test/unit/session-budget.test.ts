import fc from 'fast-check';
import { budgetExhausted, budgetSpent } from '../../core/session/budget';
import type { CallRecord, RoundRecord, SessionText } from '../../core/session-types';

const call = (completionTokens: number, discarded?: string): CallRecord<SessionText> =>
  ({
    kind: 'execute',
    phase: 1,
    try: 1,
    queue: 'q',
    raw: '',
    usage: { promptTokens: 10, completionTokens },
    ...(discarded ? { discarded } : {}),
  }) as CallRecord<SessionText>;
const round = (calls: CallRecord<SessionText>[]) => ({ calls }) as unknown as RoundRecord<SessionText>;

describe('session budget', () => {
  it('counts every call and its generated tokens, discarded tries included', () => {
    const rounds = [round([call(100), call(40, 'resampled')]), round([call(7)])];
    expect(budgetSpent(rounds)).toEqual({ calls: 3, tokens: 147 });
  });

  it('names the limit that was reached, calls first', () => {
    expect(budgetExhausted({ calls: 10, tokens: 5 }, { maxCalls: 10, maxTokens: 100 })).toBe(
      'session budget: 10 model calls reached the limit of 10: final answer forced',
    );
    expect(budgetExhausted({ calls: 3, tokens: 120 }, { maxCalls: 10, maxTokens: 100 })).toBe(
      'session budget: 120 generated tokens reached the limit of 100: final answer forced',
    );
    expect(budgetExhausted({ calls: 9, tokens: 99 }, { maxCalls: 10, maxTokens: 100 })).toBeUndefined();
  });

  it('is spent exactly when either count reaches its limit', () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.nat(500),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 500 }),
        (c, t, mc, mt) => {
          const spent =
            budgetExhausted({ calls: c, tokens: t }, { maxCalls: mc, maxTokens: mt }) !== undefined;
          expect(spent).toBe(c >= mc || t >= mt);
        },
      ),
    );
  });
});
