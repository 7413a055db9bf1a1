import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import { launchAlive, launchFiles } from '../../io/training/local';
import type { TrainingHeartbeat } from '../../activities/training';
import { publishWorkflow, trainingWorkflow } from '../../workflows';
import { HubDouble } from '../helpers/hub-double';
import { SprintKind, SprintProgress, SprintStatus } from '../../workflows/search-attributes';
import { testConfig, writeConfigFile } from '../helpers/config';
import { decodeJsonPayload, writeSftDataset } from '../helpers/sft-dataset';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { spawnWorkerProcess, startWorkers, waitForOutput } from '../helpers/workers';
import { controlQueue, trainingQueue } from '../../config/queues';

/*
 * The local launcher inside the training workflow, with the real trainer (tiny random Qwen2 on
 * the CPU, .venv from scripts/setup-python.sh). `--sleep-per-step` stretches steps so a worker can
 * be killed or the run cancelled while the trainer works.
 */
jest.setTimeout(240_000);

async function heartbeat(handle: WorkflowHandle): Promise<TrainingHeartbeat | undefined> {
  const d = await handle.describe();
  return decodeJsonPayload<TrainingHeartbeat>(d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0]);
}

async function waitForStep(
  handle: WorkflowHandle,
  step: number,
  timeoutMs = 120_000,
): Promise<TrainingHeartbeat> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hb = await heartbeat(handle);
    if (hb && hb.progress.step >= step) return hb;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no heartbeat with step >= ${step}`);
}

function startEvents(runDir: string, launch: number): { step: number; resumed_from: string | null }[] {
  const file = launchFiles(runDir, launch).events;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"event":"start"'))
    .map((l) => JSON.parse(l) as { step: number; resumed_from: string | null });
}

describe('training workflow with the local launcher', () => {
  let server: TestServer;
  let config: SprintConfig;
  let client: Client;
  let stopControl: () => Promise<void>;
  let dataset: string;
  let hub: HubDouble;

  beforeAll(async () => {
    server = await startTestServer();
    hub = await new HubDouble('hf_integration').start();
    process.env.SPRINT_TEST_HUB_TOKEN = hub.token;
    config = testConfig(server.address, {
      hub: { endpoint: hub.baseUrl, tokenEnv: 'SPRINT_TEST_HUB_TOKEN' },
      training: {
        runsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-runs-')),
        pollIntervalMs: 300,
        progressIntervalMs: 0,
      },
    });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    ({ stop: stopControl } = await startWorkers(config, 'control'));
    dataset = writeSftDataset();
  });

  afterAll(async () => {
    await stopControl?.();
    await client?.connection.close();
    await server?.stop();
    await hub?.stop();
  });

  const input = (extra: string[], maxSteps: number) => ({
    taskQueue: trainingQueue(config),
    datasetDir: dataset,
    launcher: 'local' as const,
    tiny: true,
    profile: 'cpu' as const,
    hyperparameters: { maxSteps, saveSteps: 2, learningRate: 3e-3, saveTotalLimit: 10 },
    heartbeatTimeoutMs: 4000,
    extraArgs: extra,
  });

  it('trains to the end with progress in heartbeats and search attributes, and relaunches a failed job from its checkpoint', async () => {
    const { stop } = await startWorkers(config, 'training');
    try {
      const id = `train-e2e-${Date.now()}`;
      // The first launch dies right after its step-4 checkpoint; the relaunch resumes there.
      const handle = await client.workflow.start(trainingWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: id,
        args: [input(['--exit-after-step', '4', '--sleep-per-step', '0.2'], 8)],
      });
      const hb = await waitForStep(handle, 1);
      expect(hb.handle?.launcher).toBe('local');
      expect(hb.handle?.pid).toEqual(expect.any(Number));
      expect(hb.progress.jobName).toMatch(/^sprint-train-/);
      const result = await handle.result();
      expect(result.steps).toBe(8);
      expect(result.restarts).toBe(1);
      expect(path.isAbsolute(result.modelDir)).toBe(true);
      expect(fs.existsSync(path.join(result.modelDir, 'config.json'))).toBe(true);
      expect(fs.existsSync(path.join(result.modelDir, 'tokenizer.json'))).toBe(true);
      expect(result.bestEvalLoss).toEqual(expect.any(Number));
      expect(result.dataset.train).toMatchObject({ records: 40 });
      const runDir = path.join(config.training.runsDir, id);
      expect(startEvents(runDir, 0)).toEqual([expect.objectContaining({ step: 0, resumed_from: null })]);
      const resumed = startEvents(runDir, 1);
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.step).toBe(4);
      expect(resumed[0]!.resumed_from).toMatch(/checkpoint-4$/);
      const progress = await handle.query<{ state: string; step: number }>('progress');
      expect(progress).toMatchObject({ state: 'succeeded', step: 8 });
      const attrs = (await handle.describe()).typedSearchAttributes;
      expect(attrs.get(SprintKind)).toBe('training');
      expect(attrs.get(SprintProgress)).toBe(8);
      expect(attrs.get(SprintStatus)).toBe('completed');

      // Publish the trained model to the Hub double; the second run finds nothing to commit.
      const publish = (n: number) =>
        client.workflow.execute(publishWorkflow, {
          taskQueue: controlQueue(config),
          workflowId: `${id}-publish-${n}`,
          args: [
            {
              taskQueue: trainingQueue(config),
              modelDir: result.modelDir,
              repo: 'tester/sprint-tiny',
              card: {
                baseModel: result.baseModel,
                hyperparameters: result.hyperparameters,
                training: { steps: result.steps },
              },
            },
          ],
        });
      const published = await publish(1);
      expect(published).toMatchObject({ target: 'hub', committed: true });
      expect(published.uploaded).toEqual(
        expect.arrayContaining(['README.md', 'config.json', 'model.safetensors']),
      );
      expect(await publish(2)).toMatchObject({ committed: false, uploaded: [] });
      expect(hub.commitsOf('tester/sprint-tiny')).toHaveLength(1);
    } finally {
      await stop();
    }
  });

  it('reattaches to the running trainer after the training worker is killed, without a second launch', async () => {
    const configFile = writeConfigFile(config);
    const first = spawnWorkerProcess(configFile, 'training');
    await waitForOutput(first, /polling|started|running/i);
    const id = `train-kill-${Date.now()}`;
    const handle = await client.workflow.start(trainingWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id,
      args: [input(['--sleep-per-step', '0.4'], 16)],
    });
    const hb = await waitForStep(handle, 2);
    const pid = hb.handle!.pid!;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const runDir = path.join(config.training.runsDir, id);
    expect(launchAlive(pid, launchFiles(runDir, 0).pid)).toBe(true); // the trainer outlives its worker
    const second = spawnWorkerProcess(configFile, 'training');
    try {
      const result = await handle.result();
      expect(result.steps).toBe(16);
      expect(result.restarts).toBe(0);
      // One trainer process for the run: one launch, one start event, the same pid throughout.
      expect(fs.existsSync(launchFiles(runDir, 1).pid)).toBe(false);
      expect(startEvents(runDir, 0)).toHaveLength(1);
      expect(Number(fs.readFileSync(launchFiles(runDir, 0).pid, 'utf8'))).toBe(pid);
      const history = await handle.fetchHistory();
      const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
      expect(
        Number(started[started.length - 1]!.activityTaskStartedEventAttributes!.attempt),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });

  it('cancellation stops the trainer process', async () => {
    const { stop } = await startWorkers(config, 'training');
    try {
      const id = `train-cancel-${Date.now()}`;
      const handle = await client.workflow.start(trainingWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: id,
        args: [input(['--sleep-per-step', '0.5'], 200)],
      });
      const hb = await waitForStep(handle, 1);
      const pidFile = launchFiles(path.join(config.training.runsDir, id), 0).pid;
      expect(launchAlive(hb.handle!.pid!, pidFile)).toBe(true);
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(launchAlive(hb.handle!.pid!, pidFile)).toBe(false);
      const attrs = (await handle.describe()).typedSearchAttributes;
      expect(attrs.get(SprintStatus)).toBe('cancelled');
    } finally {
      await stop();
    }
  });
});
