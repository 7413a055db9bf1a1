import type { AddressInfo } from 'node:net';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import type { SprintConfig } from '../../config';
import { buildPlan, renderTrajectory } from '../../core/format';
import { buildServeApp, defaultServeOptions } from '../../serve/app';
import type { ServeOptions } from '../../serve/context';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { testConfig, writeConfigFile } from '../helpers/config';
import { countTokens, LoopbackModelServer } from '../helpers/loopback-model-server';
import { scenarioPlanBody, sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { startWorkers, waitFor, waitForOutput } from '../helpers/workers';

/*
 * `sprint serve` in-process on a real dev server, workers in-process, the loopback engine double
 * playing a scripted SPRINT model: the official openai client (stream and not), raw SSE, auth,
 * limits, validation, cancellation on disconnect and idempotent retries.
 */

const KEY = 'test-key-0123';
const scenario = threeRoundScenario();
const trajectoryRounds = scenario.rounds.map((r, i) => ({
  plan: buildPlan(i + 1, r.parts),
  executions: r.executions,
}));

/** Sequential tokens as the double counts them (planner + longest executor per round, + the answer). */
function expectedSequential(): number {
  let sequential = 0;
  scenario.rounds.forEach((r, i) => {
    const plan = countTokens(`<Plan_${i + 1}>\n${scenarioPlanBody(i + 1, r)}\n`);
    sequential += plan + Math.max(0, ...r.executions.map((e) => countTokens(`${e}\n`)));
  });
  return sequential + countTokens(`<Final_answer>\n${scenario.final}\n`);
}

/** Polls an async check every 100 ms until it holds (or fails after the timeout). */
async function waitForAsync(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server to free its slots');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sprint serve (OpenAI-compatible endpoint) on a real dev server', () => {
  let server: TestServer;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let stopWorkers: () => Promise<void>;
  const apps: FastifyInstance[] = [];
  const logLines: string[] = [];
  let n = 0;

  async function serve(over: Partial<ServeOptions> = {}): Promise<string> {
    const app = buildServeApp({
      client,
      config,
      apiKeys: [KEY, 'other-key'],
      options: {
        ...defaultServeOptions,
        pollMs: 100,
        log: (l) => logLines.push(l),
        uiLink: (id) => `http://ui.test/workflows/${id}`,
        ...over,
      },
    });
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  }
  let base: string;
  const openai = () => new OpenAI({ baseURL: base, apiKey: KEY, maxRetries: 0 });
  const question = (what: string) => `${what} #${++n}: what is 1^2 + 2^2 + 3^2 + 4^2?`;
  const requestsFor = (q: string) => engine.requests.filter((r) => r.prompt.includes(q));

  beforeAll(async () => {
    server = await startTestServer();
    engine = await new LoopbackModelServer().start();
    // Executors take 300 ms, so rounds are apart in time; a question with SLOW stalls its executors.
    engine.setScript(
      sprintScript(scenario, {
        delayMs: (req, kind) => (kind.kind !== 'execute' ? 0 : req.prompt.includes('SLOW') ? 60_000 : 300),
      }),
    );
    config = testConfig(server.address, {
      models: {
        pools: {
          local: {
            model: 'loopback-model',
            engine: 'vllm',
            replicas: [{ name: 'r0', baseUrl: engine.baseUrl }],
          },
        },
      },
      session: { retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
    });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    ({ stop: stopWorkers } = await startWorkers(config, 'all'));
    base = await serve();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await stopWorkers?.();
    await client?.connection.close();
    await engine?.stop();
    await server?.stop();
  });

  it('chat, not streamed, with the openai client: answer, reasoning rounds, usage with sequential tokens, workflow id', async () => {
    const q = question('chat');
    const { data, response } = await openai()
      .chat.completions.create({ model: 'sprint', messages: [{ role: 'user', content: q }] })
      .withResponse();
    const workflowId = response.headers.get('x-sprint-workflow-id');
    expect(workflowId).toMatch(/^serve-/);
    expect((data as unknown as { sprint: { workflow_id: string } }).sprint.workflow_id).toBe(workflowId);
    expect(data.id).toBe(`chatcmpl-${workflowId}`);
    const message = data.choices[0]!.message as unknown as {
      content: string;
      reasoning: string;
      reasoning_content: string;
    };
    expect(message.content).toBe(scenario.final);
    expect(message.reasoning).toBe(renderTrajectory({ rounds: trajectoryRounds, final: null }));
    expect(message.reasoning_content).toBe(message.reasoning);
    expect(data.choices[0]!.finish_reason).toBe('stop');
    const usage = data.usage as unknown as Record<string, number>;
    expect(usage.sequential_tokens).toBe(expectedSequential());
    expect(usage.completion_tokens).toBeGreaterThan(usage.sequential_tokens!);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    // One session reached the engine: 4 planner calls and 8 executor calls with this question.
    expect(requestsFor(q)).toHaveLength(12);
    const desc = await client.workflow.getHandle(workflowId!).describe();
    expect(desc.type).toBe('sessionWorkflow');
    expect(desc.status.name).toBe('COMPLETED');
    expect(
      logLines.some((l) => l.includes(workflowId!) && l.includes(`http://ui.test/workflows/${workflowId}`)),
    ).toBe(true);
    expect(logLines.join('\n')).not.toContain(KEY);
  });

  it('chat, streamed, with the openai client: rounds arrive as reasoning deltas (both field names) while the session runs', async () => {
    const q = question('stream');
    const { data: stream, response } = await openai()
      .chat.completions.create({
        model: 'sprint',
        messages: [{ role: 'user', content: q }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    const workflowId = response.headers.get('x-sprint-workflow-id')!;
    let reasoning = '';
    let olderReasoning = '';
    let content = '';
    const reasoningAt: number[] = [];
    let contentAt = 0;
    let usage: Record<string, number> | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as
        { content?: string; reasoning?: string; reasoning_content?: string } | undefined;
      if (delta?.reasoning) {
        reasoning += delta.reasoning;
        reasoningAt.push(Date.now());
      }
      olderReasoning += delta?.reasoning_content ?? '';
      if (delta?.content) {
        content += delta.content;
        contentAt = Date.now();
      }
      if (chunk.usage) usage = chunk.usage as unknown as Record<string, number>;
      expect(chunk.id).toBe(`chatcmpl-${workflowId}`);
    }
    expect(reasoning).toBe(renderTrajectory({ rounds: trajectoryRounds, final: null }));
    expect(olderReasoning).toBe(reasoning);
    expect(content).toBe(scenario.final);
    expect(usage?.sequential_tokens).toBe(expectedSequential());
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    // Streamed as they happened: round 1 came well before the answer (rounds 2 and 3 take >= 600 ms).
    expect(reasoningAt.length).toBeGreaterThanOrEqual(2);
    expect(contentAt - reasoningAt[0]!).toBeGreaterThan(400);
  });

  it('completions with the openai client, the method chosen by the extra field', async () => {
    const q = question('completion');
    const data = await openai().completions.create({ model: 'sprint', prompt: q, max_tokens: 500 });
    expect(data.choices[0]!.text).toBe(scenario.final);
    const plans = requestsFor(q).filter((r) => !/<execution_\d+\.\d+>\n$/.test(r.prompt));
    expect(plans.every((r) => r.body.max_tokens === 500)).toBe(true);
    const seq = await openai().completions.create({
      model: 'sprint',
      prompt: question('sequential'),
      // @ts-expect-error the extension field is not in the openai types
      sprint_method: 'sequential',
    });
    const workflowId = (seq as unknown as { sprint: { workflow_id: string } }).sprint.workflow_id;
    expect((await client.workflow.getHandle(workflowId).describe()).type).toBe('sequentialWorkflow');
  });

  it('raw SSE: event-stream blocks, a final usage chunk, [DONE]', async () => {
    const res = await fetch(`${base}/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sprint', prompt: question('raw'), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const workflowId = res.headers.get('x-sprint-workflow-id');
    const raw = await res.text();
    const blocks = raw.split('\n\n').filter((b) => b && !b.startsWith(':'));
    expect(blocks.every((b) => b.startsWith('data: '))).toBe(true);
    expect(blocks[blocks.length - 1]).toBe('data: [DONE]');
    const events = blocks.slice(0, -1).map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
    const last = events[events.length - 1] as {
      choices: unknown[];
      usage: Record<string, number>;
      sprint: Record<string, unknown>;
    };
    expect(last.choices).toEqual([]);
    expect(last.usage.sequential_tokens).toBe(expectedSequential());
    expect(last.sprint.workflow_id).toBe(workflowId);
    const texts = events.flatMap((e) =>
      (e.choices as { text: string; finish_reason: string | null }[]).map((c) => c),
    );
    expect(texts.map((c) => c.text).join('')).toBe(scenario.final);
    expect(texts[texts.length - 1]!.finish_reason).toBe('stop');
  });

  it('auth: 401 without or with a wrong key; /v1/models with a key', async () => {
    const none = await fetch(`${base}/models`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sprint', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(wrong.status).toBe(401);
    await expect(
      new OpenAI({ baseURL: base, apiKey: 'nope', maxRetries: 0 }).models.list(),
    ).rejects.toMatchObject({ status: 401 });
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual([
      'sprint',
      'sprint-sequential',
      'sprint-sot',
      'sprint-sc',
      'local',
      'local-sequential',
      'local-sot',
      'local-sc',
    ]);
  });

  it('bad bodies: 400 naming the field, 404 for an unknown model, 413 over the size limit; nothing started', async () => {
    const before = engine.requests.length;
    const post = (body: unknown, path = 'chat/completions') =>
      fetch(`${base}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const bad = await post({ model: 'sprint', messages: [{ role: 'user', content: 42 }] });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { message: string; param: string } };
    expect(err.error.param).toBe('messages.0.content');
    expect(err.error.message).toMatch(/^messages\.0\.content: /);
    const temp = await post({ model: 'sprint', prompt: 'x', temperature: 9 }, 'completions');
    expect(((await temp.json()) as { error: { param: string } }).error.param).toBe('temperature');
    expect((await post('{"model": ')).status).toBe(400);
    const unknown = await post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /^model: unknown model "gpt-4o"/,
    );
    const big = await post({
      model: 'sprint',
      messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }],
    });
    expect(big.status).toBe(413);
    expect(engine.requests.length).toBe(before);
  });

  it('429 with Retry-After over the concurrency limit; a slot frees when a session ends', async () => {
    const limited = await serve({ maxConcurrent: 1, retryAfterSeconds: 7, onDisconnect: 'cancel' });
    const first = new AbortController();
    const running = await fetch(`${limited}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'sprint',
        stream: true,
        messages: [{ role: 'user', content: question('SLOW limit') }],
      }),
      signal: first.signal,
    });
    expect(running.status).toBe(200);
    const limitedClient = new OpenAI({ baseURL: limited, apiKey: KEY, maxRetries: 0 });
    const refused = await limitedClient.chat.completions
      .create({ model: 'sprint', messages: [{ role: 'user', content: question('second') }] })
      .withResponse()
      .catch((e: unknown) => e as { status: number; headers: Headers });
    expect(refused).toMatchObject({ status: 429 });
    expect((refused as { headers: Headers }).headers.get('retry-after')).toBe('7');
    // The first client leaves: its session is cancelled and its slot is free again.
    first.abort();
    const handle = client.workflow.getHandle(running.headers.get('x-sprint-workflow-id')!);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    // The slot is the workflow's: it frees once the server sees the workflow closed.
    const health = `${limited.replace(/\/v1$/, '')}/health`;
    await waitForAsync(
      async () => ((await (await fetch(health)).json()) as { sessions: number }).sessions === 0,
    );
    const ok = await limitedClient.chat.completions.create({
      model: 'sprint',
      messages: [{ role: 'user', content: question('third') }],
    });
    expect(ok.choices[0]!.message.content).toBe(scenario.final);
  });

  it("a key's slot is held until its workflow closes, not until its socket does; other keys keep theirs", async () => {
    const perKey = await serve({
      onDisconnect: 'continue',
      perKey: { maxConcurrent: 1, perMinute: 600, burst: 100 },
    });
    const ask = (key: string, what: string, signal?: AbortSignal) =>
      fetch(`${perKey}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'sprint',
          stream: true,
          messages: [{ role: 'user', content: question(what) }],
        }),
        ...(signal ? { signal } : {}),
      });
    const gone = new AbortController();
    const first = await ask(KEY, 'SLOW held', gone.signal);
    expect(first.status).toBe(200);
    const workflowId = first.headers.get('x-sprint-workflow-id')!;
    gone.abort(); // the client leaves; with `continue` its session runs on, and so does its slot
    await new Promise((r) => setTimeout(r, 300));
    const again = await ask(KEY, 'again');
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(
      /this API key has 1 sessions running/,
    );
    const other = await ask('other-key', 'another key');
    expect(other.status).toBe(200);
    await other.text();
    // Once the held session's workflow closes, the key may start again.
    await client.workflow.getHandle(workflowId).cancel();
    const health = `${perKey.replace(/\/v1$/, '')}/health`;
    await waitForAsync(
      async () => ((await (await fetch(health)).json()) as { sessions: number }).sessions === 0,
    );
    const after = await ask(KEY, 'after');
    expect(after.status).toBe(200);
    await after.text();
  });

  it('a client that disconnects cancels its workflow (and its in-flight model calls)', async () => {
    const q = question('SLOW cancel');
    const abort = new AbortController();
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sprint', stream: true, messages: [{ role: 'user', content: q }] }),
      signal: abort.signal,
    });
    const workflowId = res.headers.get('x-sprint-workflow-id')!;
    // Wait until round 1's executor is at the engine, then go away.
    await waitFor(
      () => requestsFor(q).some((r) => /<execution_1\.1>\n$/.test(r.prompt)),
      30_000,
      'executor 1.1',
    );
    abort.abort();
    const handle = client.workflow.getHandle(workflowId);
    const err: unknown = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    await waitFor(() => requestsFor(q).every((r) => r.endedAt !== undefined), 30_000, 'engine calls ended');
    expect(requestsFor(q).find((r) => /<execution_1\.1>\n$/.test(r.prompt))!.aborted).toBe(true);
    const session = await fetch(`${base}/sessions/${workflowId}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(await session.json()).toMatchObject({ id: workflowId, status: 'cancelled' });
  });

  it('with policy continue, a disconnected client leaves its session running to completion', async () => {
    const keep = await serve({ onDisconnect: 'continue' });
    const q = question('leave');
    const abort = new AbortController();
    const res = await fetch(`${keep}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sprint', stream: true, messages: [{ role: 'user', content: q }] }),
      signal: abort.signal,
    });
    const workflowId = res.headers.get('x-sprint-workflow-id')!;
    abort.abort();
    const result = (await client.workflow.getHandle(workflowId).result()) as { finalAnswer: string };
    expect(result.finalAnswer).toBe(scenario.final);
  });

  it('Idempotency-Key: a retry after a disconnect, a concurrent duplicate and a late retry all get the one workflow; another body with the key is a 422', async () => {
    const q = question('idempotent');
    const key = `idem-${Date.now()}`;
    const body = JSON.stringify({ model: 'sprint', messages: [{ role: 'user', content: q }] });
    const headers = {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    };
    // The first attempt is dropped by the client mid-session (a timeout, a flaky network).
    const dropped = new AbortController();
    const firstTry = fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers,
      body,
      signal: dropped.signal,
    });
    await waitFor(() => requestsFor(q).length > 0, 30_000, 'first model call');
    dropped.abort();
    await expect(firstTry).rejects.toThrow();
    // Two retries at once attach to the same running workflow.
    const [a, b] = await Promise.all([
      fetch(`${base}/chat/completions`, { method: 'POST', headers, body }),
      fetch(`${base}/chat/completions`, { method: 'POST', headers, body }),
    ]);
    const ids = [a.headers.get('x-sprint-workflow-id'), b.headers.get('x-sprint-workflow-id')];
    expect(ids[0]).toMatch(/^serve-key-/);
    expect(ids[1]).toBe(ids[0]);
    const bodies = (await Promise.all([a.json(), b.json()])) as {
      id: string;
      choices: { message: { content: string } }[];
    }[];
    expect(bodies[0]!.choices[0]!.message.content).toBe(scenario.final);
    expect(bodies[1]).toEqual(bodies[0]);
    // A retry after completion gets the finished run: no new model call.
    const callsBefore = requestsFor(q).length;
    const late = await openai()
      .chat.completions.create(
        { model: 'sprint', messages: [{ role: 'user', content: q }] },
        { headers: { 'idempotency-key': key } },
      )
      .withResponse();
    expect(late.response.headers.get('x-sprint-workflow-id')).toBe(ids[0]);
    expect(late.data.choices[0]!.message.content).toBe(scenario.final);
    expect(requestsFor(q).length).toBe(callsBefore);
    // One session's calls only: 4 planner calls and 8 executor calls.
    expect(callsBefore).toBe(12);
    // The same key with another request is refused, not answered with the earlier run.
    const other = question('idempotent, another question');
    const reused = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'sprint', messages: [{ role: 'user', content: other }] }),
    });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { message: string } }).error.message).toMatch(
      /^Idempotency-Key: already used with another request/,
    );
    expect(requestsFor(other)).toHaveLength(0);
    // GET /v1/sessions/{id}: the finished session's result.
    const session = await fetch(`${base}/sessions/${ids[0]}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const s = (await session.json()) as {
      status: string;
      result: { finalAnswer: string; rounds: number };
      usage: { sequential_tokens: number };
    };
    expect(s.status).toBe('completed');
    expect(s.result.finalAnswer).toBe(scenario.final);
    expect(s.result.rounds).toBe(4);
    expect(s.usage.sequential_tokens).toBe(expectedSequential());
    // Another API key of the same server cannot read it: answered as missing, not as forbidden.
    const asOther = await fetch(`${base}/sessions/${ids[0]}`, {
      headers: { authorization: 'Bearer other-key' },
    });
    expect(asOther.status).toBe(404);
    expect(JSON.stringify(await asOther.json())).not.toContain(scenario.final);
    expect((await fetch(`${base}/sessions/${ids[0]}`)).status).toBe(401);
    expect(
      (await fetch(`${base}/sessions/curation-x`, { headers: { authorization: `Bearer ${KEY}` } })).status,
    ).toBe(404);
    expect(
      (await fetch(`${base}/sessions/serve-missing`, { headers: { authorization: `Bearer ${KEY}` } })).status,
    ).toBe(404);
  });

  it('`sprint serve` (the CLI command): keys from the environment, serves a session, stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [
        path.resolve(__dirname, '..', '..', 'bin', 'sprint.js'),
        '--config',
        writeConfigFile(config),
        'serve',
        '--port',
        '0',
      ],
      { env: { ...process.env, SPRINT_API_KEYS: 'cli-key-1,cli-key-2' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitForOutput({ output: () => out }, /sprint serve on (http:\/\/[\d.:]+)\/v1/, 60_000);
      const url = `${/sprint serve on (http:\/\/[\d.:]+)\/v1/.exec(out)![1]}/v1`;
      expect(out).toContain('2 API key(s)');
      expect((await fetch(`${url}/models`)).status).toBe(401);
      const cli = new OpenAI({ baseURL: url, apiKey: 'cli-key-2', maxRetries: 0 });
      const q = question('cli');
      const answer = await cli.chat.completions.create({
        model: 'local',
        messages: [{ role: 'user', content: q }],
      });
      expect(answer.choices[0]!.message.content).toBe(scenario.final);
      const workflowId = (answer as unknown as { sprint: { workflow_id: string } }).sprint.workflow_id;
      expect(out).toContain(workflowId);
      expect(out).not.toContain('cli-key');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
