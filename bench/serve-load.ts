/*
 * Serving load bench: 64 concurrent sessions through `sprint serve` (the OpenAI-compatible
 * endpoint, official openai client, streamed; spread over API keys as the per-key limit asks),
 * against the loopback engine double at 5 ms/token.
 *
 *   npx tsx bench/serve-load.ts
 *
 * Everything runs in this process on a real Temporal dev server (SQLite): the HTTP server, all
 * workers and the engine double. Each session is 3 planning rounds of 4 executors + the answer
 * (plans ~40 tokens, executions 80-120). It prints: sessions started/completed/lost (a lost one is a
 * request without an answer or a workflow not COMPLETED), latency p50/p99 as the client saw it, and
 * the overhead against the engine time (the session's sequential tokens x the per-token delay, the
 * fastest any server could answer), p50/p99 and as a ratio.
 * Environment: BENCH_SESSIONS (64), BENCH_TOKEN_MS (5), BENCH_POLL_MS (progress polls, 250),
 * BENCH_MODE=direct (the same sessions started with the Temporal client, no HTTP: the control that
 * separates what the endpoint adds from what Temporal and the machine add).
 * `--quick` (npm run bench:serve -- --quick): 16 sessions unless BENCH_SESSIONS says otherwise.
 * Bounded: the run is abandoned after BENCH_TIMEOUT_S (300) seconds.
 * Writes bench/results/serve-load.json (serve-load.direct.json with BENCH_MODE=direct).
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import OpenAI from 'openai';
import { sessionRunInput } from '../config';
import { buildServeApp, defaultServeOptions } from '../serve/app';
import { sessionWorkflow } from '../workflows';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { sprintScript, type Scenario } from '../test/helpers/sprint-script';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';
import { loopbackPool } from '../test/helpers/stack';
import { controlQueue } from '../config/queues';
import { startBenchRecord } from './results';

const QUICK = process.argv.includes('--quick');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? (QUICK ? 16 : 64));
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 5);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);
/*
 * The sessions come from several users, each with an API key: one key may run
 * perKey.maxConcurrent sessions at once (serve/per-key-limits.ts), so the bench spreads its
 * sessions over as many keys as that takes, as a shared server sees them.
 */
const USERS = Math.ceil(SESSIONS / defaultServeOptions.perKey.maxConcurrent);
const KEYS = Array.from({ length: USERS }, (_, u) => `bench-key-${u}`);
const DIRECT = process.env.BENCH_MODE === 'direct';

const words = (n: number, seed: number) =>
  Array.from(
    { length: n },
    (_, i) => ['so', 'we', 'add', 'the', 'term', 'and', 'check', 'x'][(i * 5 + seed) % 8],
  ).join(' ');

function scenario(): Scenario {
  return {
    rounds: Array.from({ length: 3 }, (_, r) => ({
      parts: [
        words(30, r),
        ...Array.from({ length: 4 }, (_, k) => ({ prompt: `part ${r + 1}.${k + 1}: ${words(6, k)}` })),
        words(4, r),
      ],
      executions: Array.from({ length: 4 }, (_, k) => words(80 + ((k * 13 + r * 7) % 40), k)),
    })),
    final: 'The answer is \\boxed{7}.',
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

interface Outcome {
  workflowId: string;
  latencyMs: number;
  engineMs: number;
  answered: boolean;
  reasoningDeltas: number;
}

async function main(): Promise<void> {
  const record = startBenchRecord(
    'serve-load',
    {
      quick: QUICK,
      mode: DIRECT ? 'direct (Temporal client, no HTTP)' : 'serve (HTTP, streamed)',
      sessions: SESSIONS,
      ...(DIRECT ? {} : { 'API keys': USERS }),
      'token ms': TOKEN_MS,
      'poll ms': POLL_MS,
      'timeout s': TIMEOUT_S,
    },
    DIRECT ? 'direct' : undefined,
  );
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  const s = scenario();
  engine.setScript(sprintScript(s, { perTokenDelayMs: TOKEN_MS }));
  const config = testConfig(server.address, {
    // The llm worker must not be the bottleneck: 64 sessions x 4 executors in flight.
    models: {
      pools: { local: loopbackPool(engine, { engine: 'vllm', maxConcurrentCalls: 512 }) },
    },
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { stop } = await startWorkers(config, 'all');
  const app = buildServeApp({
    client,
    config,
    apiKeys: KEYS,
    options: {
      ...defaultServeOptions,
      maxConcurrent: SESSIONS,
      pollMs: POLL_MS,
      log: () => undefined,
      uiLink: (id) => id,
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  const users = KEYS.map(
    (apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: TIMEOUT_S * 1000 }),
  );

  const direct = async (i: number): Promise<Outcome> => {
    const started = Date.now();
    const workflowId = `bench-direct-${i}-${Date.now()}`;
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [sessionRunInput(config, `bench question ${i}`)],
    });
    return {
      workflowId,
      latencyMs: Date.now() - started,
      engineMs: result.tokens.sequential * TOKEN_MS,
      answered: result.finalAnswer === s.final,
      reasoningDeltas: 6,
    };
  };

  const viaServe = async (i: number): Promise<Outcome> => {
    const started = Date.now();
    // Session i is user i mod USERS's (the warm-up, -1, the first user's).
    const openai = users[(i + USERS) % USERS]!;
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'sprint', stream: true, messages: [{ role: 'user', content: `bench question ${i}` }] })
      .withResponse();
    let content = '';
    let deltas = 0;
    let sequential = 0;
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      if (d?.reasoning_content) deltas += 1;
      if (d?.content) content += d.content;
      if (chunk.usage)
        sequential = (chunk.usage as unknown as { sequential_tokens: number }).sequential_tokens;
    }
    return {
      workflowId: response.headers.get('x-sprint-workflow-id') ?? '',
      latencyMs: Date.now() - started,
      engineMs: sequential * TOKEN_MS,
      answered: content === s.final,
      reasoningDeltas: deltas,
    };
  };

  const one = DIRECT ? direct : viaServe;
  try {
    // Warm-up (workflow bundle, connections), not counted.
    await one(-1);
    const before = engine.requests.length;
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bench not finished in ${TIMEOUT_S} s`)), TIMEOUT_S * 1000);
    });
    const settled = await Promise.race([
      Promise.allSettled(Array.from({ length: SESSIONS }, (_, i) => one(i))),
      bound,
    ]);
    clearTimeout(timer);
    const wallS = (Date.now() - t0) / 1000;
    const ok = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    const statuses = await Promise.all(
      ok.map((o) =>
        client.workflow
          .getHandle(o.workflowId)
          .describe()
          .then((d) => d.status.name),
      ),
    );
    const completed = ok.filter((o, i) => o.answered && statuses[i] === 'COMPLETED');
    const ids = new Set(ok.map((o) => o.workflowId));
    const lat = completed.map((o) => o.latencyMs);
    const over = completed.map((o) => o.latencyMs - o.engineMs);
    const ratio = completed.map((o) => o.latencyMs / o.engineMs);
    const engineCalls = engine.requests.length - before;
    console.log(
      `${DIRECT ? 'direct (Temporal client, no HTTP)' : 'serve'} load: ${SESSIONS} concurrent ${DIRECT ? '' : 'streamed '}sessions, loopback engine at ${TOKEN_MS} ms/token, poll ${POLL_MS} ms`,
    );
    console.log(
      `  sessions: ${completed.length}/${SESSIONS} completed with the answer, ${SESSIONS - completed.length} lost; ` +
        `${ids.size} distinct workflows; engine calls ${engineCalls} (expected ${SESSIONS * 16}); wall ${wallS.toFixed(1)} s`,
    );
    console.log(
      `  reasoning deltas per session: min ${Math.min(...completed.map((o) => o.reasoningDeltas))} (6 = 3 rounds x plan + executions)`,
    );
    console.log(
      `  engine time per session: ${completed[0]?.engineMs ?? NaN} ms (sequential tokens x ${TOKEN_MS} ms)`,
    );
    console.log(`  latency p50 ${quantile(lat, 0.5)} ms, p99 ${quantile(lat, 0.99)} ms`);
    console.log(
      `  overhead vs engine time: p50 ${quantile(over, 0.5)} ms, p99 ${quantile(over, 0.99)} ms; latency/engine p50 ${quantile(ratio, 0.5).toFixed(2)}x, p99 ${quantile(ratio, 0.99).toFixed(2)}x`,
    );
    for (const e of errors.slice(0, 5)) console.log(`  error: ${e}`);
    record.finish({
      'sessions completed': completed.length,
      'sessions lost': SESSIONS - completed.length,
      'distinct workflows': ids.size,
      'engine calls': engineCalls,
      'engine calls expected': SESSIONS * 16,
      'wall s': wallS,
      'engine time per session ms': completed[0]?.engineMs ?? null,
      'latency p50 ms': quantile(lat, 0.5),
      'latency p99 ms': quantile(lat, 0.99),
      'overhead p50 ms': quantile(over, 0.5),
      'overhead p99 ms': quantile(over, 0.99),
      'latency/engine p50': quantile(ratio, 0.5),
      'latency/engine p99': quantile(ratio, 0.99),
      'min reasoning deltas per session': completed.length
        ? Math.min(...completed.map((o) => o.reasoningDeltas))
        : null,
    });
    if (completed.length !== SESSIONS) process.exitCode = 1;
  } finally {
    await app.close();
    await stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
