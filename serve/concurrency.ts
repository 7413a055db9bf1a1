/*
 * The server's cap on sessions it follows at once. A request over the cap is refused at once with
 * 429 and Retry-After rather than queued: the client's own retry (the openai client honours
 * Retry-After) is the queue, and nothing is started that the server cannot follow.
 */
export class ConcurrencyLimit {
  private active = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`concurrency limit must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** A release function (idempotent), or undefined when the cap is reached. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.max) return undefined;
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
    };
  }
}
