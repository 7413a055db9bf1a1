import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import {
  configFingerprint,
  controlQueue,
  curationQueue,
  fingerprintOfIdentity,
  queuePrefix,
  sessionRunInput,
  type SprintConfig,
} from '../../config';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { queueCheck } from '../../cli/actions/status';
import { curationWorkflow, sessionWorkflow } from '../../workflows';
import type { CurationInput } from '../../workflows/curation';
import { testConfig, writeConfigFile } from '../helpers/config';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { spawnWorkerProcess, startWorkers, waitForOutput } from '../helpers/workers';

/*
 * Issue 17: two stacks on one Temporal server (two clones, or `sprint dev` and the demo) used to
 * poll the same queue names, so one stack's workers took the other's tasks. Here two stacks with
 * different configs but the SAME base queue names (what two clones have) run side by side; every
 * workflow and activity task of each stack must be taken by its own workers, which we read from
 * the worker identities (they carry the config fingerprint) in each run's history.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Identities of the workers that took each workflow and activity task of a run (and its continued runs). */
function taskIdentities(events: HistoryEvent[]): { workflow: string[]; activity: string[] } {
  return {
    workflow: events.flatMap((e) =>
      e.workflowTaskStartedEventAttributes ? [e.workflowTaskStartedEventAttributes.identity ?? ''] : [],
    ),
    activity: events.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.identity ?? ''] : [],
    ),
  };
}

describe('two stacks with different configs on one dev server', () => {
  let server: TestServer;
  const engines = { a: new LoopbackModelServer(), b: new LoopbackModelServer() };
  const stacks: Record<'a' | 'b', SprintConfig> = {} as Record<'a' | 'b', SprintConfig>;
  const stops: (() => Promise<void>)[] = [];
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer();
    for (const name of ['a', 'b'] as const) {
      await engines[name].start();
      stacks[name] = testConfig(server.address, {
        // The defaults every clone has: without a prefix these would be the same queues.
        taskQueues: { control: 'sprint-control', curation: 'sprint-curation', training: 'sprint-training' },
        models: {
          pools: {
            local: {
              model: `model-${name}`,
              engine: 'vllm',
              replicas: [{ name: 'r0', baseUrl: engines[name].baseUrl }],
            },
          },
        },
        session: { retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      });
      stops.push((await startWorkers(stacks[name], 'all')).stop);
    }
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await client?.connection.close();
    for (const e of Object.values(engines)) await e.stop();
    await server?.stop();
  });

  it('runs a session and a curation on each stack; every task is taken by its own stack', async () => {
    const { a, b } = stacks;
    expect(configFingerprint(a)).not.toBe(configFingerprint(b));
    expect(controlQueue(a)).not.toBe(controlQueue(b));

    const runs = await Promise.all(
      (['a', 'b'] as const).map(async (name) => {
        const config = stacks[name];
        engines[name].setScript(sprintScript(threeRoundScenario()));
        const session = await client.workflow.start(sessionWorkflow, {
          taskQueue: controlQueue(config),
          workflowId: `two-stacks-session-${name}-${Date.now()}`,
          args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
        });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `two-stacks-${name}-`));
        const traces = path.join(dir, 'traces.jsonl');
        fs.writeFileSync(
          traces,
          generateCountdownTraces(12, name === 'a' ? 1 : 2)
            .map((t) =>
              JSON.stringify({ id: t.id, question: t.question, trace: t.trace, solution: t.solution }),
            )
            .join('\n') + '\n',
        );
        const curationInput: CurationInput = {
          source: { kind: 'file', path: traces },
          outDir: path.join(dir, 'dataset'),
          taskQueue: curationQueue(config),
          settings: { ...config.curation },
          dataset: `two-stacks-${name}`,
        };
        const curation = await client.workflow.start(curationWorkflow, {
          taskQueue: controlQueue(config),
          workflowId: `two-stacks-curation-${name}-${Date.now()}`,
          args: [curationInput],
        });
        const sessionResult = await session.result();
        const curationResult = await curation.result();
        return { name, config, session, curation, sessionResult, curationResult };
      }),
    );

    for (const run of runs) {
      const mine = configFingerprint(run.config);
      expect(run.sessionResult.rounds).toBe(4);
      expect(run.curationResult.counts.traces).toBe(12);
      // Each stack's engine served its own session's 12 calls only (4 plans + 8 executions).
      expect(engines[run.name].requests).toHaveLength(12);
      for (const handle of [run.session, run.curation]) {
        const { events } = await handle.fetchHistory();
        const ids = taskIdentities(events ?? []);
        expect(ids.activity.length).toBeGreaterThan(0);
        expect(ids.workflow.length).toBeGreaterThan(0);
        const foreign = [...ids.workflow, ...ids.activity].filter((id) => fingerprintOfIdentity(id) !== mine);
        expect({ workflow: handle.workflowId, foreign }).toEqual({
          workflow: handle.workflowId,
          foreign: [],
        });
      }
    }
  });

  it('sprint status passes each stack and names a worker of another config that shares a prefix', async () => {
    const { a } = stacks;
    const pollersOf = async (queue: string, type: 1 | 2) =>
      (
        await client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: queue },
          taskQueueType: type,
        })
      ).pollers?.map((p) => p.identity ?? '') ?? [];
    const mine = configFingerprint(a);
    expect(queueCheck(curationQueue(a), 'curation', await pollersOf(curationQueue(a), 2), mine).ok).toBe(
      true,
    );

    // A third config told to share stack a's prefix: its curation worker lands on a's curation queue.
    const intruder = testConfig(server.address, {
      temporal: { taskQueuePrefix: queuePrefix(a) },
      taskQueues: a.taskQueues,
      curation: { concurrency: 3 },
    });
    // Its own process: one process polls a queue name with one worker only.
    const worker = spawnWorkerProcess(writeConfigFile(intruder), 'curation');
    try {
      await waitForOutput(worker, /polling/);
      const deadline = Date.now() + 15_000;
      let check = queueCheck(curationQueue(a), 'curation', await pollersOf(curationQueue(a), 2), mine);
      while (check.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        check = queueCheck(curationQueue(a), 'curation', await pollersOf(curationQueue(a), 2), mine);
      }
      expect(check.ok).toBe(false);
      expect(check.detail).toContain(`(config ${configFingerprint(intruder)})`);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
