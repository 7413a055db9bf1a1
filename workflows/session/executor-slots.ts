import { patched } from '@temporalio/workflow';

/*
 * Bounded executor concurrency (session.maxConcurrentExecutors; the released loop runs at most 5
 * at once): every prompt runs, the ones over the bound wait for a free slot in prompt order.
 * Plain promises, so the order is deterministic on replay. Histories recorded before the bound
 * existed started every executor at once: `patched` keeps them replaying unbounded.
 */

export const BOUNDED_EXECUTORS_PATCH = 'bounded-executor-concurrency';

/** A counting semaphore over `limit` slots; `run` waits for a slot, runs, and frees it. */
export class ExecutorSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  /** Slots for a session: bounded, unless replaying a history recorded before the bound. */
  static forSession(limit: number): ExecutorSlots {
    return new ExecutorSlots(patched(BOUNDED_EXECUTORS_PATCH) ? limit : Number.POSITIVE_INFINITY);
  }

  readonly run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  };
}
