import type { ServeContext } from '../context';
import type { HttpError } from '../errors';

export type Slot = { ok: true; release: () => void } | { ok: false; error: HttpError };

function tooMany(message: string, retryAfterSeconds: number): Slot {
  return {
    ok: false,
    error: {
      status: 429,
      type: 'rate_limit_exceeded',
      message,
      headers: { 'retry-after': String(retryAfterSeconds) },
    },
  };
}

/**
 * Step 3: a slot among the sessions this server follows at once and among those of the caller's
 * key, and a token from the key's rate bucket; or 429 with Retry-After. The slot is the run's: it
 * is released when the workflow closes (generation.ts), not when the client's socket does.
 */
export function limit(ctx: ServeContext, caller: string, now = Date.now()): Slot {
  const after = ctx.options.retryAfterSeconds;
  const release = ctx.limit.tryAcquire();
  if (!release)
    return tooMany(`${ctx.limit.max} sessions are running on this server; retry after ${after} s`, after);
  const key = ctx.perKey.admit(caller, now);
  if (key.ok)
    return {
      ok: true,
      release: () => {
        key.release();
        release();
      },
    };
  release();
  if (key.reason === 'concurrency')
    return tooMany(
      `this API key has ${ctx.perKey.settings.maxConcurrent} sessions running (its limit); retry after ${after} s`,
      after,
    );
  const wait = key.retryAfterSeconds ?? after;
  return tooMany(
    `this API key sent more than ${ctx.perKey.settings.perMinute} requests a minute (burst ${ctx.perKey.settings.burst}); retry after ${wait} s`,
    wait,
  );
}
