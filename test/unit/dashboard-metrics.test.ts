import * as fs from 'node:fs';
import * as path from 'node:path';
import { metricsRegistry } from '../../io/telemetry/metrics';

/** The Grafana dashboard queries only metrics sprint registers (a renamed metric leaves a panel empty). */
describe('the Grafana dashboard', () => {
  const file = path.resolve(__dirname, '..', '..', 'infra', 'observability', 'grafana', 'sprint.json');
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  const registered = new Set(metricsRegistry.getMetricsAsArray().map((m) => m.name));

  it("names sprint's own metrics as they are registered", () => {
    const queried = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\bsprint_[a-z_]+/g)].map((m) => m[0])),
    );
    expect(queried.length).toBeGreaterThan(20);
    const base = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const unknown = queried.filter((name) => !registered.has(name) && !registered.has(base(name)));
    expect(unknown).toEqual([]);
    // The queue gauges are on it.
    expect(queried).toEqual(
      expect.arrayContaining([
        'sprint_task_queue_backlog_tasks',
        'sprint_task_queue_backlog_age_seconds',
        'sprint_task_queue_pollers',
      ]),
    );
  });
});
