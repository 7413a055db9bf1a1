import * as os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { controlQueue, sessionRunInput, type SprintConfig } from '../../config';
import { sessionWorkflow } from '../../workflows';
import { testConfig, writeConfigFile } from '../helpers/config';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { spawnWorkerProcess, startWorkers, waitFor, waitForOutput } from '../helpers/workers';

/*
 * Safe upgrades (issue 17): a rolling upgrade starts control workers of a new build, which becomes
 * the current version. A session that started on the old build is PINNED: every one of its
 * workflow tasks is still taken by the old build's worker; sessions started after the upgrade run
 * on the new build.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const workflowTaskWorkers = (events: HistoryEvent[]) =>
  events.flatMap((e) =>
    e.workflowTaskStartedEventAttributes ? [e.workflowTaskStartedEventAttributes.identity ?? ''] : [],
  );

describe('worker versioning: a rolling upgrade keeps running sessions on their build', () => {
  let server: TestServer;
  let engine: LoopbackModelServer;
  let v1: SprintConfig;
  let client: Client;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    engine = await new LoopbackModelServer().start();
    // Slow executors: the first session is still running when the new build takes over.
    engine.setScript(
      sprintScript(threeRoundScenario(), { delayMs: (_r, k) => (k.kind === 'execute' ? 1500 : 0) }),
    );
    v1 = testConfig(server.address, {
      temporal: { versioning: { buildId: 'build-1' } },
      models: {
        pools: {
          local: {
            model: 'loopback-model',
            engine: 'vllm',
            replicas: [{ name: 'r0', baseUrl: engine.baseUrl }],
          },
        },
      },
    });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    stops.push((await startWorkers(v1, 'control')).stop, (await startWorkers(v1, 'llm')).stop);
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await client?.connection.close();
    await engine?.stop();
    await server?.stop();
  });

  it('the old session finishes on build-1 while build-2 takes new sessions', async () => {
    const before = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(v1),
      workflowId: `pinned-${Date.now()}`,
      args: [sessionRunInput(v1, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });
    await waitFor(() => engine.requests.length >= 2, 30_000, 'the first session to be executing');

    // The upgrade: the same config with a new build, in its own process, made current on start.
    const v2 = {
      ...v1,
      temporal: { ...v1.temporal, versioning: { ...v1.temporal.versioning, buildId: 'build-2' } },
    };
    const upgraded = spawnWorkerProcess(writeConfigFile(v2), 'control');
    try {
      await waitForOutput(upgraded, /polling/);
      const deploymentName = (await before.describe()).raw.workflowExecutionInfo?.versioningInfo
        ?.deploymentVersion?.deploymentName;
      let current = '';
      const deadline = Date.now() + 30_000;
      while (current !== 'build-2' && Date.now() < deadline) {
        const d = await client.workflowService.describeWorkerDeployment({
          namespace: 'default',
          deploymentName: deploymentName ?? '',
        });
        current = d.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? '';
        if (current !== 'build-2') await new Promise((r) => setTimeout(r, 200));
      }
      expect(current).toBe('build-2');

      const after = await client.workflow.start(sessionWorkflow, {
        taskQueue: controlQueue(v1),
        workflowId: `after-${Date.now()}`,
        args: [sessionRunInput(v1, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
      });
      const [r1, r2] = await Promise.all([before.result(), after.result()]);
      expect(r1.rounds).toBe(4);
      expect(r2.rounds).toBe(4);

      const host = os.hostname();
      const oldTasks = workflowTaskWorkers((await before.fetchHistory()).events ?? []);
      const newTasks = workflowTaskWorkers((await after.fetchHistory()).events ?? []);
      expect(oldTasks.length).toBeGreaterThan(4);
      expect(oldTasks.filter((id) => !id.endsWith(`/${process.pid}@${host}`))).toEqual([]);
      expect(newTasks.filter((id) => !id.endsWith(`/${upgraded.pid}@${host}`))).toEqual([]);
      const info = (await before.describe()).raw.workflowExecutionInfo?.versioningInfo;
      expect(info?.deploymentVersion?.buildId).toBe('build-1');
      expect(info?.behavior).toBe(temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
    } finally {
      upgraded.kill('SIGTERM');
      await new Promise((r) => upgraded.once('exit', r));
    }
  });
});
