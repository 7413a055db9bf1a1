import type { FastifyRequest } from 'fastify';
import type { ServeContext } from '../context';

/**
 * Step 2: who asks. The key itself was checked before the body was read (serve/require-key.ts);
 * here it becomes the caller: a digest of the key ('' without authentication), which owns the run
 * and scopes its Idempotency-Key.
 */
export function authorize(ctx: ServeContext, request: FastifyRequest): string {
  return ctx.auth.callerOf(request.headers.authorization);
}
