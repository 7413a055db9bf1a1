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
 * The innermost cause's message, prefixed with the name of the innermost activity on the way down
 * when there is one (`sprintPlan: engine at ... answered 404: ...`). A chain that loops ends where
 * it would repeat.
 */
export function failureMessage(err: unknown): string {
  let current: unknown = err;
  let activity: string | undefined;
  const seen = new Set<unknown>();
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const f = current as FailureLike;
    if (typeof f.activityType === 'string' && f.activityType) activity = f.activityType;
    if (f.cause === undefined || f.cause === null || seen.has(f.cause)) break;
    current = f.cause;
  }
  const message =
    current !== null && typeof current === 'object' && typeof (current as FailureLike).message === 'string'
      ? ((current as FailureLike).message as string)
      : String(current);
  return activity && !message.startsWith(`${activity}:`) ? `${activity}: ${message}` : message;
}
