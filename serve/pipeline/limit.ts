import type { ServeContext } from '../context';
import type { HttpError } from '../errors';

export type Slot = { ok: true; release: () => void } | { ok: false; error: HttpError };

/** Step 3: a slot among the sessions this server follows at once, or 429 with Retry-After. */
export function limit(ctx: ServeContext): Slot {
  const release = ctx.limit.tryAcquire();
  if (release) return { ok: true, release };
  const after = ctx.options.retryAfterSeconds;
  return {
    ok: false,
    error: {
      status: 429,
      type: 'rate_limit_exceeded',
      message: `${ctx.limit.max} sessions are running on this server; retry after ${after} s`,
      headers: { 'retry-after': String(after) },
    },
  };
}
