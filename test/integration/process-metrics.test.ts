import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { controlQueue, poolQueue } from '../../config/queues';
import { freePort } from '../../infra/temporal/dev-server';
import { scrape, total, type Sample } from '../helpers/prometheus';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { waitForOutput } from '../helpers/workers';

/*
 * The endpoints of `sprint serve` and `sprint dev` as an operator runs them (child processes, their
 * --metrics-port): serve alone first, so the session it starts waits in the control queue with no
 * worker, which serve's endpoint shows as backlog; a second request meanwhile is a 429. Then
 * `sprint dev` brings the workers (against the test's server), the session completes, and each
 * endpoint has its share: HTTP requests by route and status on serve's, the session's figures and
 * a curation run's kept and rejected traces on dev's, the queues' pollers on both.
 */
const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');
const KEY = 'metrics-key';

type Child = ChildProcess & { output: () => string };
function sprintProcess(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

async function stopProcess(child: Child | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

/** Scrapes until `check` holds (queue stats refresh at most every 5 s; the server's backlog lags). */
async function scrapeUntil(url: string, check: (s: Sample[]) => boolean, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  let samples = await scrape(url);
  while (!check(samples)) {
    if (Date.now() > deadline)
      throw new Error(
        `${url}: condition not met; last scrape:\n${JSON.stringify(samples.filter((s) => s.name.startsWith('sprint_task_queue') || s.name.startsWith('sprint_http')))}`,
      );
    await new Promise((r) => setTimeout(r, 500));
    samples = await scrape(url);
  }
  return samples;
}

describe('metrics endpoints of sprint serve and sprint dev', () => {
  let stack: TestStack | undefined;
  let serve: Child | undefined;
  let dev: Child | undefined;
  let serveMetrics: string;
  let devMetrics: string;
  let sessionUsage: Record<string, number> | undefined;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        session: { profile: 'platform' },
        serve: { maxConcurrent: 1 },
      }),
    });
    stack.engine.setScript(sprintScript(threeRoundScenario()));
    serve = sprintProcess(
      ['--config', stack.configFile, 'serve', '--port', '0', '--metrics-port', String(await freePort())],
      { SPRINT_API_KEYS: KEY },
    );
    await waitForOutput(serve, /sprint serve on http:\S+\/v1/);
    serveMetrics = /metrics on (http:\S+)/.exec(serve.output())![1]!;
  });

  afterAll(async () => {
    await stopProcess(serve);
    await stopProcess(dev);
    await stack?.close();
  });

  it('serve: the backlog of a queue no worker polls, requests by route and status, 429s', async () => {
    const { config } = stack!;
    const api = /sprint serve on (http:\S+\/v1)/.exec(serve!.output())![1]!;
    const control = { queue: controlQueue(config), type: 'workflow', role: 'control', pool: '' };
    expect((await fetch(`${api}/models`)).status).toBe(401);
    expect((await fetch(`${api}/models`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    const ask = () =>
      fetch(`${api}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sprint', messages: [{ role: 'user', content: 'What is 1+4+9+16?' }] }),
      });
    const first = ask();
    // No worker yet: the session's first workflow task waits in the control queue.
    await scrapeUntil(
      serveMetrics,
      (s) =>
        total(s, 'sprint_task_queue_backlog_tasks', control) === 1 &&
        total(s, 'sprint_task_queue_pollers', control) === 0,
    );
    // One session at a time (serve.maxConcurrent 1): a second request is refused.
    expect((await ask()).status).toBe(429);

    // The workers arrive; the waiting session runs to its answer.
    dev = sprintProcess(['--config', stack!.configFile, 'dev', '--metrics-port', String(await freePort())]);
    await waitForOutput(dev, /sprint dev: ready/, 90_000);
    devMetrics = /metrics on (http:\S+)/.exec(dev.output())![1]!;
    const answered = await first;
    expect(answered.status).toBe(200);
    sessionUsage = ((await answered.json()) as { usage: Record<string, number> }).usage;

    const chat = { route: '/v1/chat/completions', method: 'POST' };
    const models = { route: '/v1/models', method: 'GET' };
    const samples = await scrapeUntil(
      serveMetrics,
      (s) =>
        total(s, 'sprint_http_requests_total', { ...chat, status: '200' }) === 1 &&
        total(s, 'sprint_task_queue_pollers', control) > 0 &&
        total(s, 'sprint_task_queue_backlog_tasks', control) === 0,
    );
    expect(total(samples, 'sprint_http_requests_total', { ...chat, status: '429' })).toBe(1);
    expect(total(samples, 'sprint_http_throttled_total', { route: chat.route })).toBe(1);
    expect(total(samples, 'sprint_http_requests_total', { ...models, status: '401' })).toBe(1);
    expect(total(samples, 'sprint_http_requests_total', { ...models, status: '200' })).toBe(1);
    expect(total(samples, 'sprint_http_request_seconds_count', chat)).toBe(2);
    // The pool's queue too, labelled with its pool; serve runs no worker, so no session figures here.
    expect(
      total(samples, 'sprint_task_queue_pollers', {
        queue: poolQueue(config, 'local'),
        type: 'activity',
        role: 'llm',
        pool: 'local',
      }),
    ).toBeGreaterThan(0);
    expect(total(samples, 'sprint_sessions_started_total')).toBe(0);
  });

  it("dev: the session's figures, the queues' pollers, a curation run's kept and rejected traces", async () => {
    expect(sessionUsage).toBeDefined();
    const session = { method: 'sprint', profile: 'platform' };
    const samples = await scrape(devMetrics);
    expect(total(samples, 'sprint_sessions_ended_total', { ...session, outcome: 'completed' })).toBe(1);
    expect(total(samples, 'sprint_session_sequential_tokens_sum', session)).toBe(
      sessionUsage!.sequential_tokens,
    );
    expect(total(samples, 'sprint_session_generated_tokens_sum', session)).toBe(
      sessionUsage!.completion_tokens,
    );
    expect(total(samples, 'sprint_model_call_seconds_count', { pool: 'local', outcome: 'ok' })).toBe(12);
    expect(samples.some((s) => s.name.startsWith('temporal_workflow_completed'))).toBe(true);

    // A short curation run (the offline extractor) on dev's curation worker.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-curate-'));
    const curate = sprintProcess([
      '--config',
      stack!.configFile,
      'curate',
      '--generate',
      '24',
      '--out',
      path.join(dir, 'dataset'),
      '--json',
    ]);
    const code = await new Promise((r) => curate.once('exit', r));
    expect({ code, output: code === 0 ? '' : curate.output() }).toEqual({ code: 0, output: '' });
    const counts = (JSON.parse(curate.output()) as { counts: Record<string, number> }).counts;
    expect(counts.kept! + counts.rejected!).toBeGreaterThan(0);
    const after = await scrapeUntil(
      devMetrics,
      (s) => total(s, 'sprint_task_queue_pollers', { role: 'control' }) > 0,
    );
    expect(total(after, 'sprint_curation_traces_total', { outcome: 'kept' })).toBe(counts.kept);
    expect(total(after, 'sprint_curation_traces_total', { outcome: 'rejected' })).toBe(counts.rejected);
    expect(total(after, 'sprint_curation_traces_total', { outcome: 'failed' })).toBe(counts.failed);
    expect(total(after, 'sprint_task_queue_pollers', { role: 'curation', type: 'activity' })).toBeGreaterThan(
      0,
    );
  });
});
