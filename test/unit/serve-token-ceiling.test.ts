import type { FastifyRequest } from 'fastify';
import fc from 'fast-check';
import { servedModels } from '../../core/serve/model-names';
import { maxTokensCeiling, type TokenBudgets } from '../../core/serve/token-ceiling';
import { validate } from '../../serve/pipeline/validate';
import { chatEndpoint } from '../../serve/routes/chat-completions';

const budgets: TokenBudgets = { perCall: 8000, sequential: 36_000 };
const models = servedModels(['local'], 'local');
const ask = (body: Record<string, unknown>, b = budgets) =>
  validate(
    chatEndpoint,
    {
      body: { model: 'sprint', messages: [{ role: 'user', content: 'q' }], ...body },
      headers: {},
    } as FastifyRequest,
    models,
    b,
  );

describe('max_tokens: the server owns the budget', () => {
  it('above the ceiling is a 400 naming the ceiling; at or below it lowers the per-call budget', () => {
    const over = ask({ max_tokens: 1e15 });
    expect(over).toEqual({
      ok: false,
      error: {
        status: 400,
        type: 'invalid_request_error',
        message: 'max_tokens: at most 8000 on this server (got 1000000000000000)',
        param: 'max_tokens',
      },
    });
    expect(ask({ max_completion_tokens: 8001 }).ok).toBe(false);
    const within = ask({ max_tokens: 8000 });
    expect(within.ok && within.request.maxTokens).toBe(8000);
    const sequential = ask({ max_tokens: 20_000, sprint_method: 'sequential' });
    expect(sequential.ok && sequential.request.maxTokens).toBe(20_000);
    const capped = ask({ max_tokens: 5000 }, { ...budgets, serveCeiling: 4096 });
    expect(!capped.ok && capped.error.message).toBe('max_tokens: at most 4096 on this server (got 5000)');
  });

  it('property: the ceiling never exceeds the configured budget nor the serve ceiling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sprint' as const, 'sequential' as const),
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: undefined }),
        (method, perCall, sequential, serveCeiling) => {
          const c = maxTokensCeiling(method, {
            perCall,
            sequential,
            ...(serveCeiling ? { serveCeiling } : {}),
          })!;
          const budget = method === 'sprint' ? perCall : sequential;
          return (
            c <= budget &&
            (serveCeiling === undefined || c <= serveCeiling) &&
            c === Math.min(budget, serveCeiling ?? budget)
          );
        },
      ),
    );
    expect(maxTokensCeiling('sot', budgets)).toBeUndefined();
  });
});
