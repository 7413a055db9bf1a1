/*
 * The SDK's own latency metrics for the overhead bench: where the worker spends a workflow task and
 * what the server's side of each hop costs, for sessions and for the floor workflow side by side.
 * Read from the Prometheus exporter of the SDK's runtime (it must be installed before any worker).
 */
import { Runtime } from '@temporalio/worker';
import { freePort } from '../infra/temporal/dev-server';
import { workerLogger } from '../workers/create';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text lines `name{a="b",...} value` (comments and blank lines skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Mean (ms) and count of a histogram over the samples whose labels pass `where`. */
export function histogramMean(
  samples: readonly Sample[],
  histogram: string,
  where: (labels: Record<string, string>) => boolean,
): { mean: number; count: number } {
  const total = (suffix: string) =>
    samples
      .filter((s) => s.name === `${histogram}_${suffix}` && where(s.labels))
      .reduce((a, s) => a + s.value, 0);
  const count = total('count');
  return { mean: count ? total('sum') / count : NaN, count };
}

const isFloorQueue = (labels: Record<string, string>) => (labels.task_queue ?? '').startsWith('bench-floor');

export class CoreMetrics {
  private constructor(private readonly port: number) {}

  /** Installs the SDK runtime with a metrics exporter on a free loopback port. */
  static async install(): Promise<CoreMetrics> {
    const port = await freePort();
    Runtime.install({
      logger: workerLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } },
    });
    return new CoreMetrics(port);
  }

  /**
   * A table of the means, session against floor; call before the workers stop. `otherProcesses`:
   * the metrics ports of workers in processes of their own (the llm worker, the floor's call worker).
   */
  async report(otherProcesses: readonly number[] = []): Promise<string[]> {
    const samples: Sample[] = [];
    for (const port of [this.port, ...otherProcesses]) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      samples.push(...parsePrometheus(await res.text()));
    }
    const row = (what: string, histogram: string, session: (l: Record<string, string>) => boolean) => {
      const s = histogramMean(samples, histogram, (l) => session(l) && !isFloorQueue(l));
      const f = histogramMean(samples, histogram, isFloorQueue);
      return `| ${what} | ${s.mean.toFixed(1)} (${s.count}) | ${f.mean.toFixed(1)} (${f.count}) |`;
    };
    const sessionOnly = (l: Record<string, string>) =>
      (l.workflow_type ?? 'sessionWorkflow') === 'sessionWorkflow';
    const rpc = (operation: string) => {
      const r = histogramMean(samples, 'temporal_request_latency', (l) => l.operation === operation);
      return `| ${operation} round trip (all workers) | ${r.mean.toFixed(1)} (${r.count}) | |`;
    };
    return [
      "the SDK's metrics (mean ms, count; session: every sessionWorkflow task and model call of the run):",
      '| metric | session | floor |',
      '|---|---|---|',
      row(
        'workflow task in the worker (temporal_workflow_task_execution_latency)',
        'temporal_workflow_task_execution_latency',
        sessionOnly,
      ),
      row('workflow task schedule-to-start', 'temporal_workflow_task_schedule_to_start_latency', (l) =>
        (l.task_queue ?? '').includes('control'),
      ),
      row('model call schedule-to-start', 'temporal_activity_schedule_to_start_latency', (l) =>
        (l.task_queue ?? '').includes('llm'),
      ),
      rpc('RespondWorkflowTaskCompleted'),
      rpc('RespondActivityTaskCompleted'),
    ];
  }
}
