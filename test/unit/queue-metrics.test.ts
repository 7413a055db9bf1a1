import type { WorkflowService } from '@temporalio/client';
import type { QueueUse } from '../../core/pollers';
import { metricsRegistry } from '../../io/telemetry/metrics';
import { startMetricsServer } from '../../io/telemetry/metrics-server';
import { exportQueueStats } from '../../workers/telemetry/queue-metrics';
import { scrape, total } from '../helpers/prometheus';

/*
 * The queue gauges against a stand-in for the server's DescribeTaskQueue: refreshed by scrapes, no
 * more often than the interval, and dropped (not left stale) when the server does not answer.
 */
describe('queue backlog and pollers at scrape', () => {
  const queues: QueueUse[] = [
    { queue: 'p.control', kind: 'workflow', role: 'control' },
    { queue: 'p.llm-main', kind: 'activity', role: 'llm --pool main', pool: 'main' },
  ];
  let backlog = 3;
  let failing = false;
  const calls: string[] = [];
  const service = {
    describeTaskQueue: (req: { taskQueue: { name: string } }) => {
      calls.push(req.taskQueue.name);
      if (failing) return Promise.reject(new Error('unavailable'));
      return Promise.resolve({
        pollers: req.taskQueue.name === 'p.control' ? [{ identity: 'w1' }, { identity: 'w2' }] : [],
        stats: { approximateBacklogCount: backlog, approximateBacklogAge: { seconds: 7, nanos: 5e8 } },
      });
    },
  } as unknown as WorkflowService;

  afterAll(() => metricsRegistry.resetMetrics());

  it('scrapes see each queue, refresh at most once an interval, and lose a queue the server does not describe', async () => {
    const endpoint = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    const stop = exportQueueStats(service, 'default', queues, { minIntervalMs: 300 });
    try {
      const control = { queue: 'p.control', type: 'workflow', role: 'control', pool: '' };
      const llm = { queue: 'p.llm-main', type: 'activity', role: 'llm', pool: 'main' };
      let s = await scrape(endpoint.url);
      expect(total(s, 'sprint_task_queue_pollers', control)).toBe(2);
      expect(total(s, 'sprint_task_queue_pollers', llm)).toBe(0);
      expect(total(s, 'sprint_task_queue_backlog_tasks', llm)).toBe(3);
      expect(total(s, 'sprint_task_queue_backlog_age_seconds', llm)).toBe(7.5);
      expect(calls).toHaveLength(2);

      // Within the interval: the last figures, no new call; after it, the server's new ones.
      backlog = 9;
      await Promise.all([scrape(endpoint.url), scrape(endpoint.url)]);
      expect(calls).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 350));
      s = await scrape(endpoint.url);
      expect(calls).toHaveLength(4);
      expect(total(s, 'sprint_task_queue_backlog_tasks', control)).toBe(9);

      failing = true;
      await new Promise((r) => setTimeout(r, 350));
      s = await scrape(endpoint.url);
      expect(s.filter((x) => x.name.startsWith('sprint_task_queue_'))).toEqual([]);
    } finally {
      stop();
      await endpoint.close();
    }
    // Stopped: nothing is asked of the server any more.
    const before = calls.length;
    await new Promise((r) => setTimeout(r, 350));
    const again = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    await scrape(again.url);
    await again.close();
    expect(calls).toHaveLength(before);
  });
});
