import type { WorkerOptions } from '@temporalio/worker';

/*
 * Poller settings that keep dispatch off the critical path of a session (issue 16; measured in
 * docs/benchmarks.md). A round schedules all its executors in one workflow task; the
 * server hands each task to a poll already waiting, and a task that finds none waits until a poller
 * comes back. The SDK's default is 10 activity polls per worker, so a 16-executor round dispatched
 * its last 6 executors one poll round-trip later. An llm worker keeps as many polls open as its
 * pool runs calls at once (capped: each open poll is one long-poll request held by the server).
 */

/** Open activity polls of an llm worker; above the widest round of a session (16 prompts). */
export const MAX_LLM_ACTIVITY_POLLS = 32;

export function llmActivityPolling(
  maxConcurrentCalls: number,
): NonNullable<WorkerOptions['activityTaskPollerBehavior']> {
  return { type: 'simple-maximum', maximum: Math.min(maxConcurrentCalls, MAX_LLM_ACTIVITY_POLLS) };
}
