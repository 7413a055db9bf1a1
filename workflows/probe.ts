import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { ProbeActivities, ProbeReply } from '../activities/probe';
import { SprintKind, SprintStatus } from './search-attributes';

export interface ProbeInput {
  /** Task queues to probe; each must have a worker that registers the `probe` activity. */
  queues: string[];
  /** Wait this long (a durable timer) before probing, e.g. to check a queue after a deploy. */
  delayMs?: number;
  /** How long a probe may wait for a worker to pick it up. */
  pickupTimeoutMs?: number;
}

export interface ProbeOutcome {
  queue: string;
  ok: boolean;
  reply?: ProbeReply;
  error?: string;
}

/** Checks that every named queue has a worker: one short activity per queue, all at once. */
export async function probeWorkflow(input: ProbeInput): Promise<ProbeOutcome[]> {
  upsertSearchAttributes([
    { key: SprintKind, value: 'probe' },
    { key: SprintStatus, value: 'running' },
  ]);
  if (input.delayMs) await sleep(input.delayMs);
  const outcomes = await Promise.all(
    input.queues.map(async (queue): Promise<ProbeOutcome> => {
      const { probe } = proxyActivities<ProbeActivities>({
        taskQueue: queue,
        scheduleToStartTimeout: input.pickupTimeoutMs ?? 10_000,
        startToCloseTimeout: 10_000,
        retry: { maximumAttempts: 1 },
        summary: `probe ${queue}`,
      });
      try {
        return { queue, ok: true, reply: await probe() };
      } catch (err) {
        const cause = (err as Error).cause;
        return { queue, ok: false, error: cause instanceof Error ? cause.message : (err as Error).message };
      }
    }),
  );
  upsertSearchAttributes([
    { key: SprintStatus, value: outcomes.every((o) => o.ok) ? 'completed' : 'failed' },
  ]);
  return outcomes;
}
