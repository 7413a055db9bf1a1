import { TokenBucket, type TokenBucketSettings } from '../core/serve/token-bucket';
import { ConcurrencyLimit } from './concurrency';

/*
 * What one API key may use of the server: sessions at once, and a rate of new requests (a token
 * bucket), so one key's burst gets its share and no more. Callers are key digests (serve/auth.ts),
 * one entry per configured key, so the maps stay as small as the key list.
 */
export interface PerKeySettings extends TokenBucketSettings {
  maxConcurrent: number;
}

export type KeyAdmission =
  | { ok: true; release: () => void }
  | { ok: false; reason: 'concurrency' | 'rate'; retryAfterSeconds?: number };

export class PerKeyLimits {
  private readonly concurrency = new Map<string, ConcurrencyLimit>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(readonly settings: PerKeySettings) {}

  /** Admits one request of `caller` at `now` (ms): a slot to release, or why not. */
  admit(caller: string, now: number): KeyAdmission {
    let slots = this.concurrency.get(caller);
    if (!slots) this.concurrency.set(caller, (slots = new ConcurrencyLimit(this.settings.maxConcurrent)));
    if (slots.inUse >= slots.max) return { ok: false, reason: 'concurrency' };
    let bucket = this.buckets.get(caller);
    if (!bucket) this.buckets.set(caller, (bucket = new TokenBucket(this.settings, now)));
    const taken = bucket.take(now);
    if (!taken.ok) return { ok: false, reason: 'rate', retryAfterSeconds: taken.retryAfterSeconds };
    return { ok: true, release: slots.tryAcquire()! };
  }

  /** Sessions `caller` holds now. */
  inUse(caller: string): number {
    return this.concurrency.get(caller)?.inUse ?? 0;
  }
}
