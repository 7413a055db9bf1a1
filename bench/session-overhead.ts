/*
 * Session overhead bench: what Temporal costs a SPRINT session (issue 16), where that time goes, and
 * (optionally) what streaming dispatch saves.
 *
 *   npx tsx bench/session-overhead.ts        (or: npm run bench)
 *
 * A real Temporal dev server and the loopback engine double with a per-token delay (5 ms/token by
 * default, about what one H200 engine gives a 7B model) play scripted SPRINT replies of realistic
 * shape (3 planning rounds + the final answer). BENCH_ENGINE_PROCESS=1 runs the engine double in a
 * process of its own, as an engine runs (bench/engine/process.ts); by default it shares this one. Per length scale and executors per round it runs a
 * session through Temporal and the same loop in-process (ModelClient + core/format, no Temporal)
 * and reports, in one run:
 *   - the dependent-call gap (end of a model call -> start of the call that needs its output, as the
 *     engine saw them; core/session/call-gaps.ts), median and p90, Temporal and in-process,
 *   - wall-clock: Temporal / in-process, Temporal / ideal (sequential tokens x per-token delay),
 *   - what 16 executors per round add over 1 (overhead per round against the in-process loop),
 *   - the profile of the gap (core/session/gap-profile.ts: engine log + workflow history),
 *   - Temporal's floor: the same calls (shape and durations) through a workflow with none of
 *     sprint's code (bench/floor/), on the same server and in the same process: its gaps, profile
 *     and wall-clock; what a session pays above it is sprint's own share,
 *   - the SDK's own metrics of both (bench/core-metrics.ts): workflow task execution in the worker,
 *     the RespondWorkflowTaskCompleted round trip, schedule-to-start,
 *   - with BENCH_STREAMING=1, the same session with streaming dispatch against its own ideal.
 * With BENCH_VLLM_URL (and BENCH_VLLM_MODEL) the replies are timed by a real vLLM instead of the
 * per-token delay (bench/vllm-replay-engine.ts; bench/gpu-vllm-check.sh sets it up), and each row
 * adds the engine's prefix-cache hit rate and mean time to first token. BENCH_STRATEGIES (default
 * "shared-prefix") runs the rows once per executor prompt strategy.
 * Environment: BENCH_TOKEN_MS (default 5), BENCH_REPEATS (default 3; medians), BENCH_SCALES (length
 * multipliers, default "1,2.5": short rounds and about the paper's MATH500 scale), BENCH_EXECUTORS
 * (default "1,4,16"), BENCH_STREAMING (default off). One warm-up session runs first, not counted.
 * Also in the same run (issue 28): the floor once more with eager workflow start (a client on the
 * floor workers' own connection asks the server to hand the first workflow task back in the start
 * reply), and the engine transport A/B (bench/transport-ab.ts: a round's calls over the runtime's
 * global fetch against the pooled keep-alive transport). The targets of bench/overhead-targets.ts
 * are checked and printed; `--strict` exits 1 when one is missed.
 * `--quick` (npm run bench -- --quick): short rounds only and 2 repeats unless the environment says
 * otherwise; a few minutes instead of ten on a small machine.
 * Writes bench/results/session-overhead.json (bench/results.ts; session-overhead.streaming.json or
 * .vllm.json for those kinds of run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { closeEngineAgents } from '../io/engine-transport';
import { ModelClient } from '../io/model-client';
import { controlQueue, sessionRunInput } from '../config';
import { resolveSessionSettings } from '../config/schema/session';
import { accountSession, type RoundUsage } from '../core/accounting';
import {
  executorPrompt,
  parseExecutionOutput,
  parsePlan,
  plannerPrompt,
  renderSessionPrefix,
  type ExecutorStrategy,
  type Round,
} from '../core/format';
import { sessionWorkflow } from '../workflows';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';
import { freePort } from '../infra/temporal/dev-server';
import { startLlmWorkerProcess } from './llm-worker-process';
import { vllmCounters, VllmReplayEngine } from './vllm-replay-engine';
import { OverheadReport } from './overhead-report';
import { engineCalls, historyPoints } from './session-timeline';
import { CoreMetrics } from './core-metrics';
import { startBenchRecord } from './results';
import { checkTargets } from './overhead-targets';
import { transportAb, type TransportAb } from './transport-ab';
import { FLOOR_ACTIVITY_NAMES } from './floor/activities';
import { floorShape } from './floor/shape';
import { FLOOR_QUEUES, startFloorWorkers } from './floor/worker';
import { inlineEngine, processEngine, type BenchEngine } from './engine/bench-engine';
import type { floorSession } from './floor/workflow';

const QUICK = process.argv.includes('--quick');
const STRICT = process.argv.includes('--strict');
/** A/B pairs of the engine transport per fan-out (BENCH_TRANSPORT_ROUNDS; 0 skips it). */
const TRANSPORT_ROUNDS = Number(process.env.BENCH_TRANSPORT_ROUNDS ?? (QUICK ? 20 : 40));
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 5);
const REPEATS = Number(process.env.BENCH_REPEATS ?? (QUICK ? 2 : 3));
const ROUNDS = 3;
const numbers = (text: string) => text.split(',').map(Number);
/**
 * Length multipliers for plans and executions. 1 = short rounds (~250 sequential tokens per round at
 * 4 executors); 2.5 = about the paper's MATH500 scale (SPRINT averaged 2,440 sequential tokens).
 */
const SCALES = numbers(process.env.BENCH_SCALES ?? process.env.BENCH_SCALE ?? (QUICK ? '1' : '1,2.5'));
const EXECUTORS = numbers(process.env.BENCH_EXECUTORS ?? '1,4,16');
const STREAMING = process.env.BENCH_STREAMING === '1';
/** BENCH_UNTUNED_SERVER=1: the dev server without the tuning of infra/temporal/dev-server-tuning.ts (A/B). */
const UNTUNED_SERVER = process.env.BENCH_UNTUNED_SERVER === '1';
const VLLM_URL = process.env.BENCH_VLLM_URL;
/**
 * BENCH_ENGINE_PROCESS=1: the loopback double in a process of its own (an A/B across runs). Not the
 * default: on a 2-core machine that process competes with the server and the workers for the same
 * cores, and in a quiet A/B it lengthened the gap rather than shortening it (docs/benchmarks.md).
 */
const ENGINE_IN_PROCESS = process.env.BENCH_ENGINE_PROCESS !== '1';
/**
 * BENCH_WORKER_PROCESSES=0: every worker in the bench process (an A/B across runs). By default the
 * llm worker runs in a process of its own, as `sprint worker llm` does when deployed, and so does
 * the floor's call worker: each round's calls are taken in and sent by an event loop that shares
 * nothing with the control worker, the engine double or the other side's workers.
 */
const WORKER_PROCESSES = process.env.BENCH_WORKER_PROCESSES !== '0';
const VLLM_MODEL = process.env.BENCH_VLLM_MODEL ?? 'sprint-7b-dummy';
const STRATEGIES = (process.env.BENCH_STRATEGIES ?? 'shared-prefix').split(',').map((s): ExecutorStrategy => {
  if (s !== 'shared-prefix' && s !== 'reorder')
    throw new Error(`BENCH_STRATEGIES: "${s}" is not shared-prefix or reorder`);
  return s;
});

/** The same loop without Temporal: planner call, then all executors at once, in this process. */
async function inProcessSession(
  client: ModelClient,
  question: string,
  settings: ReturnType<typeof sessionRunInput>['settings'],
  strategy: ExecutorStrategy,
) {
  const resolved = resolveSessionSettings(settings);
  const prefix = renderSessionPrefix(resolved.promptTemplate, resolved.systemPrompt, question);
  const rounds: Round[] = [];
  const usage: RoundUsage[] = [];
  for (let phase = 1; phase <= 12; phase++) {
    const planCall = await client.complete({
      prompt: plannerPrompt(prefix, rounds),
      maxTokens: 8000,
      temperature: 0.6,
      stop: ['</Plan_', '</Final_answer>'],
    });
    const plan = parsePlan(planCall.text, phase, { maxPrompts: 16 });
    if (plan.final !== undefined) {
      usage.push({ planner: planCall.usage, executors: [] });
      break;
    }
    const execs = await Promise.all(
      plan.prompts.map((p) =>
        client.complete({
          prompt: executorPrompt(prefix, rounds, plan, p.index, strategy),
          maxTokens: 8000,
          temperature: 0.6,
          stop: ['</execution_'],
        }),
      ),
    );
    rounds.push({ plan, executions: execs.map((e) => parseExecutionOutput(e.text).text) });
    usage.push({ planner: planCall.usage, executors: execs.map((e) => e.usage) });
  }
  return { rounds: usage.length, tokens: accountSession(usage) };
}

/** One timed run: its wall-clock and the model calls the engine saw during it. */
async function timed<T>(engine: BenchEngine, run: () => Promise<T>) {
  const from = await engine.count();
  const t0 = Date.now();
  const value = await run();
  const wallMs = Date.now() - t0;
  return { value, wallMs, calls: engineCalls(await engine.requestsFrom(from)) };
}

async function main(): Promise<void> {
  const record = startBenchRecord(
    'session-overhead',
    {
      quick: QUICK,
      engine: VLLM_URL
        ? 'vLLM (replayed replies)'
        : `loopback double, ${ENGINE_IN_PROCESS ? 'bench process' : 'own process'}`,
      'token ms': VLLM_URL ? null : TOKEN_MS,
      repeats: REPEATS,
      scales: SCALES.join(', '),
      'executors per round': EXECUTORS.join(', '),
      strategies: STRATEGIES.join(', '),
      streaming: STREAMING,
      'dev server': UNTUNED_SERVER ? 'untuned' : 'tuned',
      'call workers': WORKER_PROCESSES ? 'own processes' : 'bench process',
      'transport A/B rounds': VLLM_URL ? 0 : TRANSPORT_ROUNDS,
    },
    VLLM_URL ? 'vllm' : STREAMING ? 'streaming' : undefined,
  );
  // Before any worker: the SDK's runtime is installed once per process, with its metrics exporter.
  const metrics = await CoreMetrics.install();
  const server = await startTestServer(
    UNTUNED_SERVER ? { tuning: { dynamicConfig: {}, sqlitePragmas: {} } } : {},
  );
  const replay = VLLM_URL ? await new VllmReplayEngine(VLLM_URL, VLLM_MODEL).start() : undefined;
  const inline = ENGINE_IN_PROCESS && !replay ? await new LoopbackModelServer().start() : undefined;
  const engine: BenchEngine = replay
    ? inlineEngine(replay)
    : inline
      ? inlineEngine(inline)
      : await processEngine();
  const config = testConfig(server.address, {
    models: {
      pools: {
        local: {
          model: 'loopback-model',
          engine: 'vllm',
          replicas: [{ name: 'r0', baseUrl: engine.baseUrl }],
        },
      },
    },
    // The platform loop, all executors at once: the in-process loop below is its twin, so the
    // difference is Temporal's cost alone (bench/executor-strategy.ts compares the strategies).
    session: { profile: 'platform', maxConcurrentExecutors: 64 },
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { stop } = await startWorkers(config, WORKER_PROCESSES ? 'control' : 'all');
  const metricsPorts = WORKER_PROCESSES ? { llm: await freePort(), floorCalls: await freePort() } : undefined;
  const llmWorker = metricsPorts ? await startLlmWorkerProcess(config, metricsPorts.llm) : undefined;
  const floorWorkers = await startFloorWorkers(
    server.address,
    config.models.pools.local!.maxConcurrentCalls,
    metricsPorts ? { inProcess: false, metricsPort: metricsPorts.floorCalls } : { inProcess: true },
  );
  const model = new ModelClient({
    baseUrl: engine.baseUrl,
    model: 'loopback-model',
    engine: 'vllm',
    timeoutMs: 600_000,
  });
  const floorEagerClient = new Client({ connection: floorWorkers.connection });
  const report = new OverheadReport(VLLM_URL ? undefined : TOKEN_MS);
  const transport: TransportAb[] = [];
  let metricsReport: string[] = [];
  let n = 0;
  const session = async (input: ReturnType<typeof sessionRunInput>, id: string) => {
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `${id}-${++n}-${Date.now()}`,
      args: [input],
    });
    return { handle, result: await handle.result() };
  };
  try {
    await engine.play({ executors: 2, scale: 1, rounds: ROUNDS, tokenMs: 1 });
    await session(sessionRunInput(config, 'warm-up'), 'bench-warmup');
    await inProcessSession(model, 'warm-up', sessionRunInput(config, 'warm-up').settings, 'shared-prefix');
    for (const strategy of STRATEGIES)
      for (const scale of SCALES) {
        for (const executors of EXECUTORS) {
          await engine.play({ executors, scale, rounds: ROUNDS, tokenMs: TOKEN_MS });
          const base = sessionRunInput(
            config,
            `bench question with ${executors} executors per round (${strategy})`,
          );
          const input = { ...base, settings: { ...base.settings, executorStrategy: strategy } };
          const m = report.configuration(scale, executors, strategy);
          for (let rep = 0; rep < REPEATS; rep++) {
            const before = VLLM_URL ? await vllmCounters(VLLM_URL) : undefined;
            const viaTemporal = await timed(engine, () => session(input, `bench-${executors}`));
            const { handle, result } = viaTemporal.value;
            m.addTemporal(viaTemporal.wallMs, viaTemporal.calls, await historyPoints(handle), result);
            if (VLLM_URL && before) m.addEngineCounters(before, await vllmCounters(VLLM_URL));

            const local = await timed(engine, () =>
              inProcessSession(model, input.question, input.settings, strategy),
            );
            if (local.value.tokens.sequential !== result.tokens.sequential)
              throw new Error(
                `in-process loop counted ${local.value.tokens.sequential} != ${result.tokens.sequential}`,
              );
            m.addInProcess(local.wallMs, local.calls);

            const floorStart = Date.now();
            const floorHandle = await client.workflow.start<typeof floorSession>('floorSession', {
              taskQueue: FLOOR_QUEUES.workflow,
              workflowId: `bench-floor-${executors}-${++n}-${Date.now()}`,
              args: [floorShape(viaTemporal.calls, FLOOR_QUEUES.calls)],
            });
            const floorCalls = await floorHandle.result();
            m.addFloor(
              Date.now() - floorStart,
              floorCalls,
              await historyPoints(floorHandle, FLOOR_ACTIVITY_NAMES),
            );

            const eagerStart = Date.now();
            const eagerHandle = await floorEagerClient.workflow.start<typeof floorSession>('floorSession', {
              taskQueue: FLOOR_QUEUES.workflow,
              workflowId: `bench-floor-eager-${executors}-${++n}-${Date.now()}`,
              args: [floorShape(viaTemporal.calls, FLOOR_QUEUES.calls)],
              requestEagerStart: true,
            });
            const eagerCalls = await eagerHandle.result();
            m.addFloorEager(Date.now() - eagerStart, eagerCalls, eagerHandle.eagerlyStarted ?? false);

            if (STREAMING) {
              const streamed = await timed(engine, () =>
                session(
                  { ...input, settings: { ...input.settings, streamingDispatch: true } },
                  `bench-stream-${executors}`,
                ),
              );
              const tokens = streamed.value.result.tokens;
              m.addStreaming(streamed.wallMs, tokens.sequentialStreaming ?? tokens.sequential);
            }
          }
          console.error(`done: scale ${scale}, ${executors} executors per round`);
        }
      }
    metricsReport = await metrics.report(metricsPorts ? [metricsPorts.llm, metricsPorts.floorCalls] : []);
    // Last, on a quiet engine: the transport A/B (it replaces the engine's script; it reads the
    // requests as they arrive, so it runs on a double in this process).
    if (!VLLM_URL && TRANSPORT_ROUNDS > 0) {
      const abEngine = inline ?? (await new LoopbackModelServer().start());
      for (const fanout of [1, 16]) transport.push(await transportAb(abEngine, fanout, TRANSPORT_ROUNDS));
      if (abEngine !== inline) await abEngine.stop();
    }
  } finally {
    await closeEngineAgents();
    await llmWorker?.stop();
    await stop();
    await floorWorkers.stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
  console.log(
    `SPRINT session overhead (${VLLM_URL ? `vLLM at ${VLLM_URL} (replayed replies)` : `loopback engine, ${TOKEN_MS} ms/token`}, median of ${REPEATS}, dev server ${UNTUNED_SERVER ? 'untuned' : 'tuned'}, ${new Date().toISOString()})`,
  );
  console.log(report.render(STREAMING));
  console.log(['', ...metricsReport].join('\n'));
  const transportRows = transport.map((t) => ({
    'calls at once': t.fanout,
    rounds: t.rounds,
    'last call reaches engine, openai client + global fetch ms': t.globalFetchMs,
    'last call reaches engine, openai client + pooled ms': t.pooledMs,
    'last call reaches engine, direct + pooled ms': t.directMs,
    'round, openai client + global fetch ms': t.globalFetchRoundMs,
    'round, openai client + pooled ms': t.pooledRoundMs,
    'round, direct + pooled ms': t.directRoundMs,
  }));
  if (transportRows.length) {
    console.log(
      "\nengine calls (medians; the openai client over the runtime's fetch / over the pooled keep-alive transport / the direct path over it):",
    );
    for (const t of transport)
      console.log(
        `  ${t.fanout} call(s) at once: last reaches the engine after ${t.globalFetchMs} / ${t.pooledMs} / ${t.directMs} ms; whole round ${t.globalFetchRoundMs} / ${t.pooledRoundMs} / ${t.directRoundMs} ms (${t.rounds} rounds each)`,
      );
  }
  const rows = report.rows(STREAMING);
  const targets = checkTargets(rows);
  const missed = targets.filter((t) => !t.met);
  console.log(
    `\ntargets (issue 28; limits from this run's floor and plain loop): ${targets.length - missed.length} of ${targets.length} met`,
  );
  for (const t of targets)
    console.log(
      `  ${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.strategy}, scale ${t.scale}${t['exec/round'] === null ? '' : `, ${t['exec/round']} exec`}: ${t.measured.toFixed(3)} (limit ${t.limit.toFixed(3)})`,
    );
  const file = record.finish({
    ...report.totals(),
    'targets met': targets.length - missed.length,
    'targets checked': targets.length,
    configurations: rows,
    targets: targets.map((t) => ({ ...t })),
    ...(transportRows.length ? { 'engine transport': transportRows } : {}),
    'gap profile': report.profileRows(),
  });
  const { load } = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    load: { loadAvg1mMean: number; loadAvg1mMax: number };
  };
  console.log(
    `load during the run (1-minute average, ${os.cpus().length} cores): mean ${load.loadAvg1mMean}, max ${load.loadAvg1mMax}: the ratios above were measured side by side under it`,
  );
  if (STRICT && missed.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
