/*
 * A token bucket: up to `burst` requests at once, refilled at `perMinute` a minute. Pure: the caller
 * passes the clock, so tests (and property tests) drive time themselves.
 */
export interface TokenBucketSettings {
  perMinute: number;
  burst: number;
}

export type BucketAnswer = { ok: true } | { ok: false; retryAfterSeconds: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly settings: TokenBucketSettings,
    now: number,
  ) {
    if (!(settings.perMinute > 0) || !(settings.burst >= 1))
      throw new Error(
        `token bucket: perMinute > 0 and burst >= 1, got ${settings.perMinute} and ${settings.burst}`,
      );
    this.tokens = settings.burst;
    this.last = now;
  }

  /** Takes one token at `now` (ms), or says how many whole seconds until one is there. */
  take(now: number): BucketAnswer {
    const perMs = this.settings.perMinute / 60_000;
    this.tokens = Math.min(this.settings.burst, this.tokens + Math.max(0, now - this.last) * perMs);
    this.last = Math.max(this.last, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / perMs / 1000)) };
  }
}
