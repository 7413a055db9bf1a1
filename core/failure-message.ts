/*
 * What a user reads when a run fails. Temporal wraps each hop of a failure in its own message
 * ("Activity task failed", "Child Workflow execution failed", "Workflow execution failed"), and
 * the reason (an engine's 404, a missing file) is the innermost cause. Pure and SDK-free (core/):
 * failures are read by shape, so workflows, the CLI and `sprint serve` share it.
 */

interface FailureLike {
  message?: unknown;
  cause?: unknown;
  activityType?: unknown;
}

/**
 * An error and its causes, outermost first: `err`, `err.cause`, ... until a cause is missing or
 * comes round again (a chain that loops). A cause that is not an object (a thrown string) ends it.
 */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = err; !chain.includes(current); current = (current as FailureLike).cause) {
    chain.push(current);
    if (current === null || typeof current !== 'object') break;
    const next = (current as FailureLike).cause;
    if (next === undefined || next === null) break;
  }
  return chain;
}

/** An error's message, or the thrown value itself as text when it has none (a thrown string). */
export function messageOf(err: unknown): string {
  return err !== null && typeof err === 'object' && typeof (err as FailureLike).message === 'string'
    ? ((err as FailureLike).message as string)
    : String(err);
}

/**
 * The innermost cause's message, prefixed with the name of the innermost activity on the way down
 * when there is one (`sprintPlan: engine at ... answered 404: ...`).
 */
export function failureMessage(err: unknown): string {
  const chain = causeChain(err);
  const innermost = chain[chain.length - 1];
  let activity: string | undefined;
  for (const f of chain as FailureLike[]) {
    if (f !== null && typeof f === 'object' && typeof f.activityType === 'string' && f.activityType)
      activity = f.activityType;
  }
  const message = messageOf(innermost);
  return activity && !message.startsWith(`${activity}:`) ? `${activity}: ${message}` : message;
}
