/*
 * Priority and fairness bench (docs/priority.md): one GPU pool of limited capacity shared by a
 * batch evaluation and interactive sessions, and by two API keys of which one bursts.
 *
 *   npm run bench:priority
 *
 * Everything runs in this process on a real Temporal dev server started by the project's own
 * start-up (so with its priority and fairness dynamic config): all workers, and the loopback engine
 * double with BENCH_SLOTS (2) requests at once, served by an llm worker that takes as many calls at
 * once, so the backlog forms in Temporal's task queue, where priority and fairness act. Every model
 * call takes BENCH_CALL_MS (200); a session is one round of two executors and the answer (4 calls).
 *
 * Interactive latency: BENCH_INTERACTIVE (8) sessions, one every BENCH_ARRIVAL_MS (400), measured
 * three ways: on the idle pool (before and after the busy runs; the quicker is the baseline); while a batch of BENCH_BATCH (30) sessions, BENCH_BATCH_LANES (8) at
 * once as an evaluation runs them, saturates it, all calls without priority (first come, first
 * served); and the same with the classes of the config (interactive 1/2, batch 3/4). The batch's
 * throughput (sessions/s) with and without priority gives what priority costs the batch.
 * Fairness: key A bursts, keeping BENCH_BURST (16) sessions in flight, key B keeps BENCH_STEADY (4),
 * for BENCH_FAIR_S (30) s; completed sessions of each after BENCH_FAIR_WARM_S (4) s, with fairness
 * keys (weights BENCH_WEIGHT_A, BENCH_WEIGHT_B, default 1 and 1) and without. Without them each key
 * gets what it keeps in flight (16:4); with them, its weight.
 * Targets: interactive p95 within 1.3x of idle while the batch runs; the bursting key's share within
 * 10% of its weight's share. Writes bench/results/priority-fairness.json.
 */
import { Client, Connection } from '@temporalio/client';
import { controlQueue, runPriorityParts, sessionRunInput, type SprintConfig } from '../config';
import type { PriorityClassName } from '../core/priority/classes';
import { sessionWorkflow } from '../workflows';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { sprintScript, type Scenario } from '../test/helpers/sprint-script';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';
import { loopbackPool } from '../test/helpers/stack';
import { startBenchRecord } from './results';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SLOTS = env('BENCH_SLOTS', 2);
const CALL_MS = env('BENCH_CALL_MS', 200);
const INTERACTIVE = env('BENCH_INTERACTIVE', 8);
const ARRIVAL_MS = env('BENCH_ARRIVAL_MS', 400);
const BATCH = env('BENCH_BATCH', 30);
const BATCH_LANES = env('BENCH_BATCH_LANES', 8);
const BURST = env('BENCH_BURST', 16);
const STEADY = env('BENCH_STEADY', 4);
const FAIR_S = env('BENCH_FAIR_S', 30);
const WARM_S = env('BENCH_FAIR_WARM_S', 4);
const WEIGHT_A = env('BENCH_WEIGHT_A', 1);
const WEIGHT_B = env('BENCH_WEIGHT_B', 1);
const KEY_A = 'aaaaaaaaaaaaaaaa';
const KEY_B = 'bbbbbbbbbbbbbbbb';

const scenario: Scenario = {
  rounds: [
    {
      parts: ['Split the sum.', { prompt: 'Add the first half.' }, { prompt: 'Add the second half.' }],
      executions: ['The first half is 3.', 'The second half is 4.'],
    },
  ],
  final: 'The answer is \\boxed{7}.',
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

interface Done {
  startedAt: number;
  endedAt: number;
}

interface Run {
  class?: PriorityClassName;
  keyId?: string;
}

async function main(): Promise<void> {
  const record = startBenchRecord('priority-fairness', {
    'engine slots': SLOTS,
    'call ms': CALL_MS,
    'interactive sessions': INTERACTIVE,
    'arrival ms': ARRIVAL_MS,
    'batch sessions': BATCH,
    'batch lanes': BATCH_LANES,
    'key A sessions in flight': BURST,
    'key B sessions in flight': STEADY,
    'fairness run s': FAIR_S,
    'fairness warm-up s': WARM_S,
    'weight A': WEIGHT_A,
    'weight B': WEIGHT_B,
  });
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  engine.capacity = { slots: SLOTS, policy: 'fcfs' };
  engine.setScript(sprintScript(scenario, { delayMs: CALL_MS }));
  const config: SprintConfig = testConfig(server.address, {
    models: { pools: { local: loopbackPool(engine, { engine: 'vllm', maxConcurrentCalls: SLOTS }) } },
    priority: {
      apiKeys: { [KEY_A]: { fairnessWeight: WEIGHT_A }, [KEY_B]: { fairnessWeight: WEIGHT_B } },
    },
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { stop } = await startWorkers(config, 'all');
  let n = 0;

  /** One session; `run` undefined: no priority at all (first come, first served). */
  const session = async (what: string, run: Run | undefined): Promise<Done> => {
    const workflowId = `bench-priority-${what}-${++n}-${Date.now()}`;
    const priority = run
      ? runPriorityParts(config, {
          command: run.keyId ? 'serve' : 'eval',
          keyId: run.keyId,
          runId: `bench-${what}`,
          class: run.class,
        })
      : { input: {}, start: {} };
    const startedAt = Date.now();
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [{ ...sessionRunInput(config, `${what} question ${n}`), ...priority.input }],
      ...priority.start,
    });
    if (result.finalAnswer === null) throw new Error(`session ${workflowId} has no answer`);
    return { startedAt, endedAt: Date.now() };
  };

  /** Interactive sessions, one every ARRIVAL_MS: their latencies (ms). */
  const interactive = async (run: Run | undefined): Promise<number[]> => {
    const all: Promise<Done>[] = [];
    for (let i = 0; i < INTERACTIVE; i++) {
      all.push(session('interactive', run));
      await sleep(ARRIVAL_MS);
    }
    return (await Promise.all(all)).map((d) => d.endedAt - d.startedAt);
  };

  /** A batch of BATCH sessions in BATCH_LANES lanes (an evaluation's concurrency). */
  const batch = async (run: Run | undefined): Promise<{ sessions: number; seconds: number }> => {
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: BATCH_LANES }, async () => {
        while (next < BATCH) {
          next++;
          await session('batch', run);
        }
      }),
    );
    return { sessions: BATCH, seconds: (Date.now() - started) / 1000 };
  };

  /** Interactive sessions while a batch saturates the pool (the batch first gets a head start). */
  const busy = async (withPriority: boolean) => {
    const running = batch(withPriority ? { class: 'batch' } : undefined);
    await sleep(1500);
    const latencies = await interactive(withPriority ? { class: 'interactive' } : undefined);
    const b = await running;
    return { latencies, batchPerS: b.sessions / b.seconds };
  };

  /**
   * Key A keeps BURST sessions in flight (a burst that does not let up), key B STEADY: both always
   * have calls waiting. Completed sessions of each in the window from WARM_S to FAIR_S.
   */
  const fairness = async (withKeys: boolean) => {
    const t0 = Date.now();
    const until = t0 + FAIR_S * 1000;
    const lanes = (count: number, what: string, keyId: string) =>
      Array.from({ length: count }, async () => {
        const done: Done[] = [];
        while (Date.now() < until)
          done.push(await session(what, withKeys ? { class: 'interactive', keyId } : undefined));
        return done;
      });
    const [a, b] = await Promise.all([
      Promise.all(lanes(BURST, 'key-a', KEY_A)),
      Promise.all(lanes(STEADY, 'key-b', KEY_B)),
    ]);
    const from = t0 + WARM_S * 1000;
    const inWindow = (d: Done) => d.endedAt >= from && d.endedAt <= until;
    const countA = a.flat().filter(inWindow).length;
    const countB = b.flat().filter(inWindow).length;
    // Calls too (four a session, so more of them in the window): those the engine took in it.
    const calls = engine.requests.filter((r) => r.admittedAt! >= from && r.admittedAt! <= until);
    const callsA = calls.filter((r) => r.prompt.includes('key-a question')).length;
    const callsB = calls.filter((r) => r.prompt.includes('key-b question')).length;
    return { shareA: countA / (countA + countB), countA, countB, callShareA: callsA / (callsA + callsB) };
  };

  try {
    // Warm-up: the workers' first tasks (bundles, connections) stay out of the figures.
    await Promise.all([session('warmup', undefined), session('warmup', undefined)]);
    const idleBefore = await interactive({ class: 'interactive' });
    const fifo = await busy(false);
    const prio = await busy(true);
    const idleAfter = await interactive({ class: 'interactive' });
    const unfair = await fairness(false);
    const fair = await fairness(true);
    // The idle pool is measured before and after the busy runs; the quicker of the two is the
    // baseline (a burst of other load on a shared machine only ever slows a run down).
    const idle = quantile(idleBefore, 0.95) <= quantile(idleAfter, 0.95) ? idleBefore : idleAfter;

    const p = (xs: number[], q: number) => Math.round(quantile(xs, q));
    const weightShareA = WEIGHT_A / (WEIGHT_A + WEIGHT_B);
    const rows = [
      ...(
        [
          ['idle (before)', idleBefore],
          ['idle (after)', idleAfter],
        ] as const
      ).map(([pool, xs]) => ({
        pool,
        'p50 ms': p(xs, 0.5),
        'p95 ms': p(xs, 0.95),
        'p95/idle p95': round3(quantile(xs, 0.95) / quantile(idle, 0.95)),
        'batch sessions/s': null,
      })),
      {
        pool: 'batch running, no priority',
        'p50 ms': p(fifo.latencies, 0.5),
        'p95 ms': p(fifo.latencies, 0.95),
        'p95/idle p95': round3(quantile(fifo.latencies, 0.95) / quantile(idle, 0.95)),
        'batch sessions/s': round3(fifo.batchPerS),
      },
      {
        pool: 'batch running, priority classes',
        'p50 ms': p(prio.latencies, 0.5),
        'p95 ms': p(prio.latencies, 0.95),
        'p95/idle p95': round3(quantile(prio.latencies, 0.95) / quantile(idle, 0.95)),
        'batch sessions/s': round3(prio.batchPerS),
      },
    ];
    const shares = [
      {
        run: 'no fairness keys',
        'key A (burst) sessions': unfair.countA,
        'key B sessions': unfair.countB,
        'key A share': round3(unfair.shareA),
        'share/weight share': round3(unfair.shareA / weightShareA),
        'key A call share': round3(unfair.callShareA),
      },
      {
        run: 'fairness keys (API key ids)',
        'key A (burst) sessions': fair.countA,
        'key B sessions': fair.countB,
        'key A share': round3(fair.shareA),
        'share/weight share': round3(fair.shareA / weightShareA),
        'key A call share': round3(fair.callShareA),
      },
    ];
    const figures = {
      'interactive p95 ratio with priority': rows[3]!['p95/idle p95'],
      'interactive p95 ratio without priority': rows[2]!['p95/idle p95'],
      'batch throughput loss %': round3((1 - prio.batchPerS / fifo.batchPerS) * 100),
      'key A weight share': round3(weightShareA),
      'key A share with fairness': round3(fair.shareA),
      'key A share ratio with fairness': round3(fair.shareA / weightShareA),
      'key A call share with fairness': round3(fair.callShareA),
      latency: rows,
      shares,
    };
    console.table(rows);
    console.table(shares);
    console.log(
      `interactive p95 with priority: ${figures['interactive p95 ratio with priority']}x idle (target <= 1.3); ` +
        `without: ${figures['interactive p95 ratio without priority']}x. Batch throughput loss ${figures['batch throughput loss %'].toFixed(1)}%. ` +
        `Bursting key share ${fair.shareA.toFixed(3)} for a weight share of ${weightShareA.toFixed(3)} (target within 10%); ` +
        `without fairness keys ${unfair.shareA.toFixed(3)}.`,
    );
    console.log(`wrote ${record.finish(figures)}`);
  } finally {
    await stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
