import { CancellationScope, condition } from '@temporalio/workflow';
import type { PromptClosed } from '../../core/session-types';
import type { ExecutorOutcome } from './calls';

/*
 * Streaming dispatch (session.streamingDispatch): the planner activity signals each closed
 * `</prompt_p.k>`, and the executor for it starts at once from the plan written so far. Executors
 * are keyed by plan try, activity attempt and k: when the plan call is retried or resampled, the
 * ones started from replaced text no longer match the kept plan and are cancelled.
 */

/** Every prompt-closed signal the session has received, in arrival order (filled by the handler). */
export class PromptClosedInbox {
  readonly received: PromptClosed[] = [];

  add(signal: PromptClosed): void {
    this.received.push(signal);
  }
}

interface StreamedExecutor {
  signal: PromptClosed;
  scope: CancellationScope;
  run: Promise<ExecutorOutcome>;
}

/** The executors one round started from signals while its plan was still being written. */
export class StreamedExecutors {
  private readonly started = new Map<string, StreamedExecutor>();
  private planTry = 1;
  private stopped = false;
  private readonly watching: Promise<void>;

  /** Starts watching the inbox for this phase's signals; `start` runs one executor from a signal. */
  constructor(
    private readonly inbox: PromptClosedInbox,
    private readonly phase: number,
    private readonly start: (signal: PromptClosed) => Promise<ExecutorOutcome>,
  ) {
    this.watching = this.watch();
  }

  /** The plan try now running: only its signals start executors. */
  setPlanTry(planTry: number): void {
    this.planTry = planTry;
  }

  /** Stops watching once the plan is done, after starting executors for signals already received. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.watching;
  }

  /**
   * The executor started for prompt k of the kept plan (try and attempt), if its plan prefix is
   * still the beginning of the kept plan; it is then no longer this object's to cancel.
   */
  take(planTry: number, attempt: number, k: number, planText: string): Promise<ExecutorOutcome> | undefined {
    const key = `${planTry}/${attempt}/${k}`;
    const found = this.started.get(key);
    if (!found || !planText.startsWith(found.signal.planPrefix)) return undefined;
    this.started.delete(key);
    return found.run;
  }

  /** Cancels every executor not taken; returns their keys (`try/attempt/k`). */
  cancelRest(): string[] {
    for (const e of this.started.values()) e.scope.cancel();
    return [...this.started.keys()];
  }

  private async watch(): Promise<void> {
    const signals = this.inbox.received;
    let seen = 0;
    for (;;) {
      await condition(() => this.stopped || signals.length > seen);
      while (seen < signals.length) {
        const s = signals[seen++]!;
        if (s.phase !== this.phase || s.planTry !== this.planTry) continue;
        const key = `${s.planTry}/${s.attempt}/${s.k}`;
        if (this.started.has(key)) continue;
        const scope = new CancellationScope();
        const run = scope.run(() => this.start(s));
        run.catch(() => undefined); // observed when taken, or cancelled as stale
        this.started.set(key, { signal: s, scope, run });
      }
      if (this.stopped) return;
    }
  }
}
