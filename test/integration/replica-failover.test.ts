/**
 * Two replicas of one pool: two loopback engines (TEST DOUBLES for vLLM), each fronted by its own
 * `sprint worker llm --pool main --replica X` process. A session sticks to one replica (every
 * planner and executor call on that replica's queue, so that engine's prefix cache holds the
 * shared history); when that replica's worker is SIGKILLed mid-round, the in-flight calls time out
 * (heartbeat), their retries find no worker on the replica queue (schedule-to-start timeout) and go
 * to the pool's shared queue, which the surviving replica serves: the session completes with every
 * round exactly once.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { controlQueue, poolRoute, sessionRunInput, type SprintConfig } from '../../config';
import { expectedQueues, missingPollers } from '../../infra/docker/worker-health';
import { sessionWorkflow } from '../../workflows';
import { initialRoute } from '../../workflows/routing';
import type { LoopbackModelServer } from '../helpers/loopback-model-server';
import { classify, sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitFor, waitForOutput } from '../helpers/workers';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const STICKY_SCHEDULE_TO_START_MS = 3000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/** Event types of a history, counted (for the capacity notes). */
function eventCounts(events: HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) {
    const type = Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? 'unknown';
    const name = type.replace(/EventAttributes$/, '');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('replica routing and failover (two engines, two llm worker processes)', () => {
  let stack: TestStack<'a' | 'b'> | undefined;
  let engines: Record<'a' | 'b', LoopbackModelServer>;
  let config: SprintConfig;
  let configFile: string;
  let client: Client;
  const workers: Record<'a' | 'b', ReturnType<typeof spawnWorkerProcess> | undefined> = {
    a: undefined,
    b: undefined,
  };

  beforeAll(async () => {
    stack = await startStack({
      engines: ['a', 'b'],
      config: ({ engines }) => ({
        // Plain queue names: the assertions below spell them out (sprint-llm-main-a, ...).
        temporal: { taskQueuePrefix: '' },
        models: {
          pools: {
            main: {
              model: 'loopback-model',
              engine: 'vllm',
              replicas: [
                { name: 'a', baseUrl: engines.a.baseUrl },
                { name: 'b', baseUrl: engines.b.baseUrl },
              ],
            },
          },
          roles: { planner: 'main', executor: 'main', extractor: 'main', dag: 'main' },
        },
        session: {
          stickyScheduleToStartMs: STICKY_SCHEDULE_TO_START_MS,
          heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
          retry: { initialIntervalMs: 200, maximumIntervalMs: 1000 },
        },
      }),
      workers: ['control'],
    });
    ({ engines, config, configFile, client } = stack);
    workers.a = spawnWorkerProcess(configFile, 'llm', ['--pool', 'main', '--replica', 'a']);
    workers.b = spawnWorkerProcess(configFile, 'llm', ['--pool', 'main', '--replica', 'b']);
    await Promise.all([waitForOutput(workers.a, /polling/), waitForOutput(workers.b, /polling/)]);
  });

  afterAll(async () => {
    for (const w of Object.values(workers)) {
      if (w && w.exitCode === null && w.signalCode === null) {
        w.kill('SIGTERM');
        await new Promise((r) => w.once('exit', r));
      }
    }
    await stack?.close();
  });

  /** A workflow id whose sticky replica (FNV-1a of the id) is `replica`. */
  function idStickingTo(replica: string, tag: string): string {
    const route = poolRoute(config, 'main');
    for (let i = 0; i < 1000; i++) {
      const id = `failover-${tag}-${Date.now()}-${i}`;
      if (initialRoute(route, id).replica === replica) return id;
    }
    throw new Error('no id found');
  }

  it('the health check sees each replica worker on its own queues (and no one else)', async () => {
    const host = os.hostname();
    for (const r of ['a', 'b']) {
      const queues = expectedQueues(config, 'llm', 'main', r);
      // "polling" is printed once the worker is created; its first polls reach the server a moment
      // later, so give the registration a bounded time before asserting.
      let missing = await missingPollers(client, 'default', queues, host, 60_000);
      for (let i = 0; i < 50 && missing.length; i++) {
        await new Promise((done) => setTimeout(done, 200));
        missing = await missingPollers(client, 'default', queues, host, 60_000);
      }
      expect(missing).toEqual([]);
      expect(await missingPollers(client, 'default', queues, 'some-other-host', 60_000)).toEqual([
        `activity queue sprint-llm-main-${r}`,
        'activity queue sprint-llm-main',
      ]);
    }
  });

  it('a session sticks to its replica, and fails over to the other when that worker is killed mid-round', async () => {
    const scenario = threeRoundScenario();
    // Sticky engine: round 2's executors hang (the worker dies during them). Other engine: prompt replies.
    engines.a.setScript(
      sprintScript(scenario, {
        delayMs: (_req, kind) => (kind.kind === 'execute' && kind.phase === 2 ? 120_000 : 20),
      }),
    );
    engines.b.setScript(sprintScript(scenario, { delayMs: 20 }));
    const workflowId = idStickingTo('a', 'kill');
    const started = Date.now();
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });

    // Routing: everything up to round 2's executors went to replica a's engine, nothing to b's.
    const execs2 = () =>
      engines.a.requests.filter((r) => {
        const k = classify(r.prompt);
        return k.kind === 'execute' && k.phase === 2;
      });
    await waitFor(() => execs2().length === 2, 60_000, "round 2's executors on engine a");
    expect(engines.b.requests).toHaveLength(0);
    expect(engines.a.requests.map((r) => classify(r.prompt).kind)).toEqual([
      'plan',
      'execute',
      'plan',
      'execute',
      'execute',
    ]);
    const beforeKill = engines.a.requests.length;

    const killedAt = Date.now();
    workers.a!.kill('SIGKILL');
    await new Promise((r) => workers.a!.once('exit', r));

    const result = await handle.result();
    const finishedAt = Date.now();

    // The session completed on replica b with the right answer and every round exactly once.
    expect(result.status).toBe('completed');
    expect(result.finalAnswer).toContain('\\boxed{30}');
    expect(result.routing.executor.failedOver).toBe(true);
    expect(result.routing.executor.queue).toBe('sprint-llm-main');
    expect(
      result.problems.some((p) => /sprint-llm-main-a had no worker: moved to sprint-llm-main/.test(p)),
    ).toBe(true);

    // Engine a got nothing after the kill; the two calls it was serving were abandoned, not answered.
    expect(engines.a.requests).toHaveLength(beforeKill);
    expect(execs2().every((r) => r.aborted === true)).toBe(true);
    // Engine b served round 2's executors once each, then round 3 and the final plan.
    const bKinds = engines.b.requests.map((r) => classify(r.prompt));
    expect(bKinds.filter((k) => k.kind === 'execute' && k.phase === 2)).toHaveLength(2);
    expect(bKinds.filter((k) => k.kind === 'plan').map((k) => (k.kind === 'plan' ? k.phase : 0))).toEqual([
      3, 4,
    ]);
    expect(bKinds.filter((k) => k.kind === 'execute' && k.phase === 3)).toHaveLength(5);
    expect(engines.b.requests).toHaveLength(2 + 1 + 5 + 1);

    // The transcript: rounds 1..4 once each, executions in prompt order, each call's replica recorded.
    const transcript = (
      await handle.query<{
        rounds: {
          phase: number;
          executions: string[];
          calls: { kind: string; phase: number; k?: number; replica: string; queue: string }[];
        }[];
      }>('progress')
    ).rounds;
    expect(transcript.map((r) => r.phase)).toEqual([1, 2, 3, 4]);
    expect(transcript.map((r) => r.executions)).toEqual([...scenario.rounds.map((r) => r.executions), []]);
    const where = transcript.flatMap((r) =>
      r.calls.map((c) => `${c.kind} ${c.phase}${c.k ? `.${c.k}` : ''} ${c.replica} ${c.queue}`),
    );
    expect(where).toEqual([
      'plan 1 a sprint-llm-main-a',
      'execute 1.1 a sprint-llm-main-a',
      'plan 2 a sprint-llm-main-a',
      'execute 2.1 b sprint-llm-main',
      'execute 2.2 b sprint-llm-main',
      'plan 3 b sprint-llm-main',
      ...[1, 2, 3, 4, 5].map((k) => `execute 3.${k} b sprint-llm-main`),
      'plan 4 b sprint-llm-main',
    ]);

    // History: how the failover happened, and that no call completed twice.
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
    const stickyScheduled = scheduled.filter(
      (e) => e.activityTaskScheduledEventAttributes!.taskQueue?.name === 'sprint-llm-main-a',
    );
    for (const e of stickyScheduled) {
      const a = e.activityTaskScheduledEventAttributes!;
      expect(Number(a.scheduleToStartTimeout?.seconds ?? 0) * 1000).toBe(STICKY_SCHEDULE_TO_START_MS);
      expect(Number(a.heartbeatTimeout?.seconds ?? 0) * 1000).toBe(HEARTBEAT_TIMEOUT_MS);
    }
    const timedOut = events.filter((e) => e.activityTaskTimedOutEventAttributes);
    expect(timedOut).toHaveLength(2); // round 2's two sticky executors
    for (const e of timedOut) {
      expect(e.activityTaskTimedOutEventAttributes!.failure?.timeoutFailureInfo?.timeoutType).toBe(2); // SCHEDULE_TO_START
    }
    const completedIds = events
      .filter((e) => e.activityTaskCompletedEventAttributes)
      .map((e) => Number(e.activityTaskCompletedEventAttributes!.scheduledEventId));
    expect(new Set(completedIds).size).toBe(completedIds.length);

    // For the capacity notes of docs/operations.md#capacity: what a session costs in Temporal events.
    const counts = eventCounts(events);
    const modelCalls = transcript.reduce((n, r) => n + r.calls.length, 0);
    console.log(
      [
        `replica failover: killed after ${killedAt - started} ms; session finished ${finishedAt - killedAt} ms after the kill`,
        `  bounds: heartbeat timeout ${HEARTBEAT_TIMEOUT_MS} ms + retry backoff + sticky schedule-to-start ${STICKY_SCHEDULE_TO_START_MS} ms`,
        `history: ${events.length} events for ${transcript.length} rounds (${modelCalls} model calls, one failover)`,
        `  ${Object.entries(counts)
          .sort((x, y) => y[1] - x[1])
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      ].join('\n'),
    );
  });

  it('without failures a session stays on its replica: every call on one engine', async () => {
    const scenario = threeRoundScenario();
    engines.a.setScript(sprintScript(scenario));
    engines.b.setScript(sprintScript(scenario));
    const before = { a: engines.a.requests.length, b: engines.b.requests.length };
    const workflowId = idStickingTo('b', 'stay');
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.routing.executor).toMatchObject({
      replica: 'b',
      queue: 'sprint-llm-main-b',
      failedOver: false,
    });
    expect(engines.a.requests.length - before.a).toBe(0);
    expect(engines.b.requests.length - before.b).toBe(4 + 1 + 2 + 5);
    const events = (await handle.fetchHistory()).events ?? [];
    const counts = eventCounts(events);
    console.log(
      `history without failover: ${events.length} events for 4 rounds (12 model calls): ${Object.entries(
        counts,
      )
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  });
  it('an engine that dies takes its worker down (infra/docker/llm-worker.sh), and its session fails over', async () => {
    // Replica a again, now behind the supervisor script the images run for llm workers.
    let out = '';
    const supervisor = spawn(
      'sh',
      [
        path.join(__dirname, '..', '..', 'infra', 'docker', 'llm-worker.sh'),
        '--pool',
        'main',
        '--replica',
        'a',
      ],
      {
        env: {
          ...process.env,
          SPRINT_CONFIG: configFile,
          SPRINT_ENGINE_HEALTH_URL: `${engines.a.baseUrl}/models`,
          SPRINT_ENGINE_CHECK_INTERVAL_S: '1',
          SPRINT_ENGINE_MAX_FAILURES: '2',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    supervisor.stdout.on('data', (d: Buffer) => (out += d.toString()));
    supervisor.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
    try {
      await waitForOutput({ output: () => out }, /polling/);
      const scenario = threeRoundScenario();
      engines.a.setScript(
        sprintScript(scenario, {
          delayMs: (_req, kind) => (kind.kind === 'execute' && kind.phase === 2 ? 30_000 : 20),
        }),
      );
      engines.b.setScript(sprintScript(scenario, { delayMs: 20 }));
      const beforeA = engines.a.requests.length;
      const beforeB = engines.b.requests.length;
      const handle = await client.workflow.start(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: idStickingTo('a', 'engine-death'),
        args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
      });
      const execs2 = () =>
        engines.a.requests.slice(beforeA).filter((r) => {
          const k = classify(r.prompt);
          return k.kind === 'execute' && k.phase === 2;
        });
      await waitFor(() => execs2().length === 2, 60_000, "round 2's executors on engine a");
      expect(engines.b.requests.length - beforeB).toBe(0);

      await engines.a.stop(); // the engine crashes: connections reset, then refused

      const result = await handle.result();
      expect(await exited).toBe(75);
      expect(out).toContain('engine down; stopping the worker so its sessions fail over');
      expect(result.status).toBe('completed');
      expect(result.finalAnswer).toContain('\\boxed{30}');
      expect(result.routing.executor).toMatchObject({ queue: 'sprint-llm-main', failedOver: true });
      const rounds = (await handle.query<{ rounds: { phase: number; executions: string[] }[] }>('progress'))
        .rounds;
      expect(rounds.map((r) => r.phase)).toEqual([1, 2, 3, 4]);
      expect(rounds.map((r) => r.executions)).toEqual([...scenario.rounds.map((r) => r.executions), []]);
      const bKinds = engines.b.requests.slice(beforeB).map((r) => classify(r.prompt));
      expect(bKinds.filter((k) => k.kind === 'execute' && k.phase === 2)).toHaveLength(2);
      expect(bKinds.filter((k) => k.kind === 'plan').map((k) => (k.kind === 'plan' ? k.phase : 0))).toEqual([
        3, 4,
      ]);
    } finally {
      if (supervisor.exitCode === null && supervisor.signalCode === null) supervisor.kill('SIGTERM');
      await exited;
    }
  });
});
