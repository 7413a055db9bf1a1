/*
 * Telemetry overhead bench: what metrics and traces cost a SPRINT session (issue 26; target: under
 * 2% of the session's wall time).
 *
 *   npx tsx bench/telemetry-overhead.ts        (or: npm run bench:telemetry)
 *
 * One Temporal dev server, the loopback engine double with a per-token delay, and two groups of
 * in-process workers on queues of their own, in the same process, so both see the same machine:
 *   - `off`: sprint as it runs with no telemetry configured (figures recorded in memory, no
 *     endpoint, no traces);
 *   - `on`: a metrics endpoint scraped as each session starts and every second after (Prometheus
 *     scrapes every 15 s by default: this is 15 times the usual load or more) and OpenTelemetry traces of every
 *     session (the client's span, the workflow's, each activity's and each engine call's) exported
 *     over OTLP/HTTP to a local collector double that reads and drops them.
 * Sessions alternate between the groups (on, off, off, on, ...) so a drift in the machine's load
 * hits both alike; the figures are medians and means of the session's wall time as the client sees
 * it (start to result), and the median of each back-to-back pair's ratio; and the process's CPU
 * time per session (every thread; the session's spans flushed within it), which load blurs less. Environment: BENCH_SESSIONS (per group, default 40: with fewer, the wall-time medians of sub-second sessions swing by several percent between runs), BENCH_TOKEN_MS
 * (default 2), BENCH_EXECUTORS (executors per round, default 4), BENCH_ON (what `on` has: `both`,
 * the default, or `metrics` or `traces` alone, to tell their costs apart).
 * Writes bench/results/telemetry-overhead.json (bench/results.ts; .metrics.json or .traces.json for
 * the single-part runs).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { controlQueue, sessionRunInput, type SprintConfig } from '../config';
import { startMetricsServer } from '../io/telemetry/metrics-server';
import { startTracing } from '../io/telemetry/tracing';
import { sessionWorkflow } from '../workflows';
import { tracingClientInterceptors } from '../workers/telemetry/client';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { sprintScript, type Scenario } from '../test/helpers/sprint-script';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';
import { startBenchRecord } from './results';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 40);
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 2);
const EXECUTORS = Number(process.env.BENCH_EXECUTORS ?? 4);
const ON = (process.env.BENCH_ON ?? 'both') as 'both' | 'metrics' | 'traces';
if (!['both', 'metrics', 'traces'].includes(ON))
  throw new Error(`BENCH_ON: both, metrics or traces, not "${ON}"`);
const METRICS = ON !== 'traces';
const TRACES = ON !== 'metrics';

/** Three rounds of EXECUTORS prompts each, then the answer; replies of a few dozen tokens. */
function scenario(): Scenario {
  const round = (p: number) => ({
    parts: [
      `Split the check of part ${p} into independent cases.`,
      ...Array.from({ length: EXECUTORS }, (_, k) => ({
        prompt: `Check case ${p}.${k + 1} of the sum by direct computation.`,
      })),
    ],
    executions: Array.from(
      { length: EXECUTORS },
      (_, k) =>
        `Case ${p}.${k + 1}: computing term by term gives ${p * 10 + k}, which matches the pattern so far.`,
    ),
  });
  return { rounds: [round(1), round(2), round(3)], final: 'The answer is \\boxed{30}.' };
}

/** An OTLP/HTTP endpoint that reads every export and drops it (counts requests and bytes). */
async function collectorDouble(): Promise<{ url: string; requests: number; bytes: number; close(): void }> {
  const stats = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (d: Buffer) => (stats.bytes += d.length));
    req.on('end', () => {
      stats.requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    get requests() {
      return stats.requests;
    },
    get bytes() {
      return stats.bytes;
    },
    close: () => server.close(),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const record = startBenchRecord(
    'telemetry-overhead',
    {
      sessionsPerGroup: SESSIONS,
      tokenMs: TOKEN_MS,
      executorsPerRound: EXECUTORS,
      scrapeEveryS: METRICS ? 1 : null,
      traced: TRACES,
    },
    ON === 'both' ? undefined : ON,
  );
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  engine.setScript(sprintScript(scenario(), { perTokenDelayMs: TOKEN_MS }));
  const configOf = (): SprintConfig =>
    testConfig(server.address, {
      models: {
        pools: {
          local: { model: engine.model, engine: 'vllm', replicas: [{ name: 'r0', baseUrl: engine.baseUrl }] },
        },
      },
      session: { profile: 'platform', maxConcurrentExecutors: EXECUTORS },
    });
  const off = configOf();
  const on = configOf();
  // The untraced group first: its workers and client are made before the process traces.
  const offWorkers = await startWorkers(off, 'all');
  const collector = await collectorDouble();
  const tracing = TRACES
    ? startTracing({ serviceName: 'sprint-bench', otlpEndpoint: collector.url })
    : undefined;
  const onWorkers = await startWorkers(on, 'all');
  const metrics = await startMetricsServer({ host: '127.0.0.1', port: 0 });
  const connection = await Connection.connect({ address: server.address });
  const clients = {
    off: new Client({ connection }),
    on: new Client({ connection, ...tracingClientInterceptors() }),
  };
  let scrapes = 0;
  const scrape = () => {
    scrapes += 1;
    void fetch(metrics.url).then((r) => r.text());
  };
  /** CPU time of this process (every thread: workers, workflow threads, the SDK's core) per session. */
  const cpuMs: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const run = async (group: 'on' | 'off', n: number): Promise<number> => {
    const config = group === 'on' ? on : off;
    let scraping: NodeJS.Timeout | undefined;
    const cpuBefore = process.cpuUsage();
    // A scrape as the session starts and every second after: at least one per session, however
    // short (Prometheus's default is one every 15 s).
    if (group === 'on' && METRICS) {
      scrape();
      scraping = setInterval(scrape, 1000);
    }
    const started = performance.now();
    await clients[group].workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `bench-telemetry-${group}-${n}-${Date.now()}`,
      args: [sessionRunInput(config, `question ${n}: what is the sum?`)],
    });
    const wall = performance.now() - started;
    clearInterval(scraping);
    // The session's spans exported now, after its wall time was taken, so their export is charged
    // to its CPU time rather than to whichever session runs when the batch's timer fires.
    if (group === 'on') await tracing?.processor.forceFlush();
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs[group].push((cpu.user + cpu.system) / 1000);
    return wall;
  };
  // Warm-up, not counted.
  await run('off', -1);
  await run('on', -1);
  const walls: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let i = 0; i < SESSIONS; i++) {
    const order: ('on' | 'off')[] = i % 2 ? ['off', 'on'] : ['on', 'off'];
    for (const group of order) walls[group].push(await run(group, i));
    process.stderr.write(`\r${i + 1}/${SESSIONS} pairs`);
  }
  process.stderr.write('\n');
  await tracing?.shutdown();
  const figures = {
    'session wall off median ms': round1(median(walls.off)),
    'session wall on median ms': round1(median(walls.on)),
    'session wall on/off (median) ratio': Math.round((median(walls.on) / median(walls.off)) * 1000) / 1000,
    'session wall off mean ms': round1(mean(walls.off)),
    'session wall on mean ms': round1(mean(walls.on)),
    'session wall on/off (mean) ratio': Math.round((mean(walls.on) / mean(walls.off)) * 1000) / 1000,
    'overhead (median) %': round1((median(walls.on) / median(walls.off) - 1) * 100),
    // Each pair ran back to back: its ratio sees one load; the median of those is the steadiest figure.
    'paired on/off (median of pairs) ratio':
      Math.round(median(walls.on.map((w, i) => w / walls.off[i]!)) * 1000) / 1000,
    // The first of each (the warm-up) left out.
    'CPU ms per session off (median)': round1(median(cpuMs.off.slice(1))),
    'CPU ms per session on (median)': round1(median(cpuMs.on.slice(1))),
    'CPU overhead ms per session (median of pairs)': round1(
      median(cpuMs.on.slice(1).map((c, i) => c - cpuMs.off[i + 1]!)),
    ),
    'OTLP exports': collector.requests,
    'OTLP KiB per session': round1(collector.bytes / 1024 / (SESSIONS + 1)),
    'metrics scrapes': scrapes,
  };
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(40)} ${v}`);
  record.finish(figures);
  await metrics.close();
  await onWorkers.stop();
  await offWorkers.stop();
  await connection.close();
  collector.close();
  await engine.stop();
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
