import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parseConfig, type SprintConfig } from '../../config';
import { resolveRun, trainerArgs } from '../../io/training/args';
import { launchAlive, launchFiles } from '../../io/training/local';
import type { TrainingHeartbeat } from '../../activities/training';
import { publishWorkflow, trainingWorkflow } from '../../workflows';
import { HubDouble } from '../helpers/hub-double';
import { SprintKind, SprintProgress, SprintStatus } from '../../workflows/search-attributes';
import { writeConfigFile } from '../helpers/config';
import { decodeJsonPayload, writeSftDataset } from '../helpers/sft-dataset';
import { startStack, type TestStack } from '../helpers/stack';
import { metricsRegistry } from '../../io/telemetry/metrics';
import { parseSamples, total } from '../helpers/prometheus';
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

describe('trainer flags from the config', () => {
  it('are all accepted by the trainer, under the values the config gave', () => {
    // Every field the config schema can carry, through the TS side, parsed by infra/sft's parser.
    const config = parseConfig(
      {
        training: {
          profile: 'released',
          hyperparameters: {
            epochs: 2,
            maxSteps: 9,
            learningRate: 2e-5,
            weightDecay: 0.01,
            warmupRatio: 0.1,
            scheduler: 'cosine',
            maxLength: 2048,
            perDeviceBatchSize: 3,
            gradientAccumulationSteps: 4,
            optim: 'adafactor',
            bf16: false,
            gradientCheckpointing: false,
            attnImplementation: 'eager',
            packing: true,
            useLigerKernel: false,
            reportTo: ['tensorboard', 'wandb'],
            pushCheckpointsTo: 'org/ckpt',
            saveSteps: 6,
            evalSteps: 3,
            saveTotalLimit: 2,
            seed: 7,
            promptTemplate: 'Q: {prompt}',
            trainingArgs: { neftune_noise_alpha: 5 },
          },
        },
      },
      'test',
    );
    const input = { runId: 'r', datasetDir: '/d' };
    const args = ['--output-dir', '/tmp/unused', ...trainerArgs(input, resolveRun(config.training, input))];
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'infra/sft')",
      'from sprint_sft.recipes import parse_arguments',
      'p = parse_arguments(sys.argv[1:], cuda=False)',
      's = p.sft',
      'print(json.dumps(dict(profile=p.profile, model=p.model.model_name_or_path, attn=p.model.attn_implementation,',
      '  epochs=s.num_train_epochs, max_steps=s.max_steps, lr=s.learning_rate, wd=s.weight_decay, warmup=s.warmup_steps,',
      '  sched=str(s.lr_scheduler_type.value), max_length=s.max_length, bs=s.per_device_train_batch_size,',
      '  ga=s.gradient_accumulation_steps, optim=str(s.optim.value), bf16=s.bf16, gc=s.gradient_checkpointing,',
      '  packing=s.packing, liger=s.use_liger_kernel, report=s.report_to, push=s.push_to_hub, hub=s.hub_model_id,',
      '  save=s.save_steps, eval=s.eval_steps, limit=s.save_total_limit, seed=s.seed, neftune=s.neftune_noise_alpha,',
      '  template=p.sprint.prompt_template)))',
    ].join('\n');
    const out = execFileSync(path.join('.venv', 'bin', 'python'), ['-c', script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      profile: 'released',
      model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
      attn: 'eager',
      epochs: 2,
      max_steps: 9,
      lr: 2e-5,
      wd: 0.01,
      warmup: 0.1,
      sched: 'cosine',
      max_length: 2048,
      bs: 3,
      ga: 4,
      optim: 'adafactor',
      bf16: false,
      gc: false,
      packing: true,
      liger: false,
      report: ['tensorboard', 'wandb'],
      push: true,
      hub: 'org/ckpt',
      save: 6,
      eval: 3,
      limit: 2,
      seed: 7,
      neftune: 5,
      template: 'Q: {prompt}',
    });
  });
});

describe('training workflow with the local launcher', () => {
  let stack: TestStack | undefined;
  let config: SprintConfig;
  let client: Client;
  let dataset: string;
  let hub: HubDouble;

  beforeAll(async () => {
    // The Hub double comes first (the config names its URL) and goes last.
    hub = await new HubDouble('hf_integration').start();
    process.env.SPRINT_TEST_HUB_TOKEN = hub.token;
    stack = await startStack({
      config: {
        hub: { endpoint: hub.baseUrl, tokenEnv: 'SPRINT_TEST_HUB_TOKEN' },
        training: {
          runsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-runs-')),
          pollIntervalMs: 300,
          progressIntervalMs: 0,
        },
      },
      workers: ['control'],
    });
    ({ config, client } = stack);
    dataset = writeSftDataset();
  });

  afterAll(async () => {
    await stack?.close();
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
      const progress = await handle.query<{
        state: string;
        step: number;
        loss?: number;
        tokensPerS?: number;
      }>('progress');
      expect(progress).toMatchObject({ state: 'succeeded', step: 8 });
      // The training worker (this process) exports the same progress as gauges.
      const gauges = parseSamples(await metricsRegistry.metrics());
      const job = { launcher: 'local', profile: 'cpu' };
      expect(total(gauges, 'sprint_training_step', job)).toBe(8);
      expect(total(gauges, 'sprint_training_total_steps', job)).toBe(8);
      expect(progress.loss).toEqual(expect.any(Number));
      expect(total(gauges, 'sprint_training_loss', job)).toBe(progress.loss);
      expect(progress.tokensPerS).toBeGreaterThan(0);
      expect(total(gauges, 'sprint_training_tokens_per_second', job)).toBe(progress.tokensPerS);
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
