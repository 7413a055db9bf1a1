import type { Client } from '@temporalio/client';
import { poolRoute, sessionRunInput, type SprintConfig } from '../../config';
import { buildPlan, renderTrajectory } from '../../core/format';
import type { SessionTranscript } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import { sessionWorkflow } from '../../workflows';
import { testConfig, writeConfigFile } from '../helpers/config';
import type { LoopbackModelServer, ModelRequestRecord } from '../helpers/loopback-model-server';
import { classify, sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { initialRoute } from '../../workflows/routing';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, startWorkers, waitFor, waitForOutput } from '../helpers/workers';
import { controlQueue, queuePrefix, poolQueue, replicaQueue } from '../../config/queues';

function keyOf(r: ModelRequestRecord): string {
  const k = classify(r.prompt);
  return k.kind === 'execute' ? `exec ${k.phase}.${k.k}` : k.kind === 'plan' ? `plan ${k.phase}` : 'final';
}

/** Successful (HTTP 200, not aborted) requests per call key. */
function successes(reqs: ModelRequestRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reqs) if (r.status === 200 && !r.aborted) out[keyOf(r)] = (out[keyOf(r)] ?? 0) + 1;
  return out;
}

const ALL_CALLS = [
  'plan 1',
  'exec 1.1',
  'plan 2',
  'exec 2.1',
  'exec 2.2',
  'plan 3',
  'exec 3.1',
  'exec 3.2',
  'exec 3.3',
  'exec 3.4',
  'exec 3.5',
  'plan 4',
];

describe('SPRINT session fault tolerance', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  const scenario = threeRoundScenario();
  const expectedText = renderTrajectory({
    rounds: scenario.rounds.map((r, i) => ({ plan: buildPlan(i + 1, r.parts), executions: r.executions })),
    final: scenario.final,
  });

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine) } },
        // The platform loop: executors keep their labels p.k, which the fault scripts key on.
        session: {
          profile: 'platform',
          heartbeatTimeoutMs: 2000,
          retry: { initialIntervalMs: 100, maximumIntervalMs: 500 },
        },
      }),
      workers: ['control'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('a worker killed mid-executor: the session completes, no round lost or recomputed', async () => {
    // Round 3's executors hang on their first try (the worker dies during them); retries answer.
    const hung = new Set<string>();
    engine.setScript(
      sprintScript(scenario, {
        override: (req, kind) => {
          if (kind.kind !== 'execute' || kind.phase !== 3) return undefined;
          const key = keyOf(req);
          if (hung.has(key)) return undefined;
          hung.add(key);
          return { text: 'never delivered', delayMs: 60_000 };
        },
      }),
    );
    const before = engine.requests.length;
    const configFile = writeConfigFile(config);
    const first = spawnWorkerProcess(configFile, 'llm');
    await waitForOutput(first, /polling/);
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `kill-session-${Date.now()}`,
      args: [sessionRunInput(config, 'q')],
    });
    await waitFor(() => hung.size === 5, 30_000, 'all five executors of round 3 in flight');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const second = spawnWorkerProcess(configFile, 'llm');
    try {
      const result = await handle.result();
      expect(result.text).toBe(expectedText);
      expect(result.promptsPerRound).toEqual([1, 2, 5, 0]);
      const reqs = engine.requests.slice(before);
      // Every call succeeded exactly once: rounds 1-2 were not recomputed, nothing was lost.
      expect(successes(reqs)).toEqual(Object.fromEntries(ALL_CALLS.map((k) => [k, 1])));
      // The planner calls of finished rounds were made once only.
      expect(reqs.filter((r) => keyOf(r) === 'plan 1')).toHaveLength(1);
      expect(reqs.filter((r) => keyOf(r) === 'plan 2')).toHaveLength(1);
      const transcript = await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(
        result.transcript!,
      );
      const round3 = transcript.rounds[2]!.calls.filter((c) => c.kind === 'execute');
      expect(round3).toHaveLength(5);
      expect(round3.every((c) => c.attempt === 2)).toBe(true);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });

  it('a session whose sticky replica has no worker fails over to the shared queue and completes', async () => {
    // Two replicas on the same engine; only r1 has a worker. Pick a workflow id that hashes to r0.
    // Another pool layout is another config fingerprint: it shares the first config's queues (and so
    // its control worker) only because it names the same prefix.
    const two = testConfig(config.temporal.address, {
      temporal: { taskQueuePrefix: queuePrefix(config) },
      taskQueues: config.taskQueues,
      artifacts: config.artifacts,
      models: {
        pools: {
          local: {
            model: 'loopback-model',
            replicas: [
              { name: 'r0', baseUrl: engine.baseUrl },
              { name: 'r1', baseUrl: engine.baseUrl },
            ],
          },
        },
      },
      session: { profile: 'platform', stickyScheduleToStartMs: 1000, retry: { initialIntervalMs: 100 } },
    });
    const route = poolRoute(two, 'local');
    let i = 0;
    while (initialRoute(route, `failover-${i}`).replica !== 'r0') i++;
    engine.setScript(sprintScript(scenario));
    const { stop } = await startWorkers(two, 'llm', { replica: 'r1' });
    try {
      const result = await client.workflow.execute(sessionWorkflow, {
        taskQueue: controlQueue(two),
        workflowId: `failover-${i}`,
        args: [sessionRunInput(two, 'q')],
      });
      expect(result.text).toBe(expectedText);
      expect(result.routing.planner).toMatchObject({
        replica: 'r0',
        queue: poolQueue(two, 'local'),
        failedOver: true,
      });
      expect(result.problems).toEqual([
        `planner queue ${replicaQueue(two, 'local', 'r0')} had no worker: moved to ${poolQueue(two, 'local')}`,
      ]);
    } finally {
      await stop();
    }
  });

  describe('with in-process llm workers', () => {
    let stopLlm: () => Promise<void>;
    beforeAll(async () => {
      ({ stop: stopLlm } = await startWorkers(config, 'llm'));
    });
    afterAll(async () => {
      await stopLlm?.();
    });

    it('a burst of 503s is retried by Temporal and the session completes exactly', async () => {
      let failures = 0;
      engine.setScript(
        sprintScript(scenario, {
          override: (_req, kind) => {
            // The first 6 calls of rounds 2 and 3 (planner or executor) get a 503.
            const phase = kind.kind === 'final' ? 4 : kind.phase;
            if ((phase === 2 || phase === 3) && failures < 6) {
              failures += 1;
              return { status: 503, text: 'engine overloaded', headers: { 'retry-after-ms': '50' } };
            }
            return undefined;
          },
        }),
      );
      const before = engine.requests.length;
      const result = await client.workflow.execute(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `burst-${Date.now()}`,
        args: [sessionRunInput(config, 'q')],
      });
      expect(failures).toBe(6);
      expect(result.text).toBe(expectedText);
      const reqs = engine.requests.slice(before);
      expect(reqs.filter((r) => r.status === 503)).toHaveLength(6);
      expect(successes(reqs)).toEqual(Object.fromEntries(ALL_CALLS.map((k) => [k, 1])));
      // Token counts are those of the kept calls only (failed attempts generated nothing).
      expect(result.problems).toEqual([]);
    });
  });
});
