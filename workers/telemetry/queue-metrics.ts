import type { WorkflowService } from '@temporalio/client';
import type { QueueUse } from '../../core/pollers';
import { queueMetrics } from '../../io/telemetry/metrics';
import { refreshBeforeScrape } from '../../io/telemetry/metrics-server';
import { describeQueue } from '../queue-stats';

/*
 * Each queue's backlog and pollers as gauges, from DescribeTaskQueue (workers/queue-stats.ts, the
 * source of `sprint status`). Refreshed when Prometheus scrapes, not on a timer: an idle process
 * asks the server nothing, and a scrape sees figures no older than `minIntervalMs` (two scrapes in
 * quick succession, or two Prometheus replicas, share one round of calls). A queue the server did
 * not describe in time loses its series until it does: a stale backlog would read as a real one.
 */

export interface QueueStatsOptions {
  /** Shortest time between two rounds of DescribeTaskQueue calls. */
  minIntervalMs?: number;
  /** How long a scrape waits for the server before it answers without the queues. */
  timeoutMs?: number;
}

function labelsOf(q: QueueUse) {
  return { queue: q.queue, type: q.kind, role: q.role.split(' ')[0] ?? q.role, pool: q.pool ?? '' };
}

function removeSeries(labels: ReturnType<typeof labelsOf>): void {
  for (const gauge of Object.values(queueMetrics)) gauge.remove(labels);
}

/** Exports `queues`' stats until the returned function is called. */
export function exportQueueStats(
  service: WorkflowService,
  namespace: string,
  queues: readonly QueueUse[],
  opts: QueueStatsOptions = {},
): () => void {
  const minIntervalMs = opts.minIntervalMs ?? 5000;
  const timeoutMs = opts.timeoutMs ?? 3000;
  let refreshedAt = -Infinity;
  let inFlight: Promise<void> | undefined;

  const describeOne = async (q: QueueUse) => {
    const labels = labelsOf(q);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    });
    try {
      const state = await Promise.race([describeQueue(service, namespace, q.queue, q.kind), late]);
      queueMetrics.pollers.set(labels, state.identities.length);
      if (state.backlog === undefined) {
        // A server that keeps no task queue stats: no figure rather than a made-up zero.
        queueMetrics.backlog.remove(labels);
        queueMetrics.backlogAge.remove(labels);
      } else {
        queueMetrics.backlog.set(labels, state.backlog);
        queueMetrics.backlogAge.set(labels, state.backlogAgeS ?? 0);
      }
    } catch {
      removeSeries(labels);
    } finally {
      clearTimeout(timer);
    }
  };

  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (performance.now() - refreshedAt < minIntervalMs) return Promise.resolve();
    inFlight = Promise.all(queues.map(describeOne)).then(() => {
      refreshedAt = performance.now();
      inFlight = undefined;
    });
    return inFlight;
  };

  const unregister = refreshBeforeScrape(refresh);
  return () => {
    unregister();
    for (const q of queues) removeSeries(labelsOf(q));
  };
}
