import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { DockerLauncher } from '../../io/training/docker';
import { jobName } from '../../io/training/args';
import type { TrainingProgress } from '../../io/training/types';
import { SprintProgress, SprintStatus } from '../../workflows/search-attributes';
import { writeSftDataset } from '../helpers/sft-dataset';
import { startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitForOutput } from '../helpers/workers';
import { docker, TRAINER_IMAGE } from './docker-engine';

/*
 * The training container's whole life on a real Docker engine with the trainer image built here
 * (CPU, tiny random Qwen2): runs started by `sprint train --launcher docker` as a user starts
 * them, a training worker in its own process (killed like a crash in one test), the control
 * workers in this process. `--sleep-per-step` stretches steps so there is time to act mid-run.
 */
jest.setTimeout(900_000);

const TOKEN = 'hf_container_test_secret_4f9a';
const repoRoot = path.resolve(__dirname, '..', '..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('training container on the Docker engine', () => {
  let stack: TestStack;
  let dataset: string;
  let worker: ReturnType<typeof spawnWorkerProcess>;

  /** `sprint ARGS` with the stack's config, as a user runs it. */
  function sprint(args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, 'bin', 'sprint.js'), '--config', stack.configFile, ...args],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const trainArgs = (runId: string, maxSteps: number, sleep: number) => [
    'train',
    '--launcher',
    'docker',
    '--dataset',
    dataset,
    '--tiny',
    '--max-steps',
    String(maxSteps),
    '--save-steps',
    '2',
    '--run-id',
    runId,
    ...(sleep ? ['--trainer-arg', '--sleep-per-step', String(sleep)] : []),
  ];

  async function startWorker(): Promise<void> {
    worker = spawnWorkerProcess(stack.configFile, 'training');
    await waitForOutput(worker, /polling|started|running/i, 120_000);
  }

  const containersOf = (runId: string) =>
    docker(['ps', '-a', '--filter', `label=org.sprint.run=${runId}`, '--format', '{{.Names}}'])
      .split('\n')
      .filter(Boolean);

  interface Inspected {
    Config: { Env: string[]; User: string };
    HostConfig: { Binds: string[]; Init: boolean };
    Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
    State: { Status: string; StartedAt: string; ExitCode: number };
    RestartCount: number;
  }

  function inspect(name: string): Inspected {
    return (JSON.parse(docker(['inspect', '--type', 'container', name])) as Inspected[])[0]!;
  }

  async function progressOf(handle: WorkflowHandle): Promise<TrainingProgress> {
    return handle.query<TrainingProgress>('progress');
  }

  async function waitForStep(runId: string, step: number, timeoutMs = 600_000): Promise<TrainingProgress> {
    const handle = stack.client.workflow.getHandle(runId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await progressOf(handle).catch(() => undefined);
      if (p && p.step >= step) return p;
      if (Date.now() > deadline)
        throw new Error(`run ${runId}: no progress to step ${step} (last: ${JSON.stringify(p)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async function waitUntil(what: string, check: () => boolean, timeoutMs = 120_000): Promise<number> {
    const t0 = Date.now();
    while (!check()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return Date.now() - t0;
  }

  beforeAll(async () => {
    process.env.SPRINT_CONTAINER_TEST_TOKEN = TOKEN;
    stack = await startStack({
      config: {
        hub: { tokenEnv: 'SPRINT_CONTAINER_TEST_TOKEN' },
        training: {
          runsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-container-runs-')),
          pollIntervalMs: 500,
          progressIntervalMs: 0,
          heartbeatTimeoutMs: 8000,
          docker: { image: TRAINER_IMAGE, gpus: 0, shmSize: '1g' },
        },
      },
      workers: ['control'],
    });
    // The docker launcher mounts only datasets under the artifacts root.
    dataset = writeSftDataset(path.join(stack.config.artifacts.root, 'datasets', 'countdown'));
    await startWorker();
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    for (const name of docker([
      'ps',
      '-a',
      '--filter',
      'label=org.sprint.kind=training',
      '--format',
      '{{.Names}}',
    ])
      .split('\n')
      .filter((n) => n.startsWith('sprint-train-ctr-')))
      docker(['rm', '-f', name]);
    await stack?.close();
  });

  it('trains through `sprint train --launcher docker`: progress, model files, result, logs, no secret in docker inspect', async () => {
    const runId = `ctr-train-${Date.now()}`;
    const name = jobName(runId, 0);
    const running = sprint([...trainArgs(runId, 6, 0.5), '--json']);
    await waitUntil('the container runs', () => containersOf(runId).length === 1, 300_000);
    const runDir = path.join(stack.config.training.runsDir, runId);
    const tokenFile = path.join(runDir, '.sprint-secrets', 'hf_token');
    await waitUntil('the token file is written', () => fs.existsSync(tokenFile));
    const c = inspect(name);
    // The token reaches the container as a file only its user reads; docker inspect never shows it.
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(c.Config.Env).toContain('HF_TOKEN_PATH=/sprint/run/.sprint-secrets/hf_token');
    expect(fs.statSync(tokenFile).uid).toBe(10001);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o400);
    // Only the dataset (read-only) and the run folder are mounted, and the trainer is not root.
    expect(c.Mounts.map((m) => [m.Type, m.Source, m.Destination, m.RW]).sort()).toEqual(
      [
        ['bind', fs.realpathSync(dataset), '/sprint/data', false],
        ['bind', runDir, '/sprint/run', true],
      ].sort(),
    );
    expect(c.Config.User).toBe('10001:10001');
    expect(docker(['exec', name, 'id', '-u']).trim()).toBe('10001');
    expect(c.HostConfig.Init).toBe(true);

    const run = await running;
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      modelDir: string;
      steps: number;
      launcher: string;
      jobName: string;
    };
    expect(result).toMatchObject({ steps: 6, launcher: 'docker', jobName: name });
    // The model lands in the run folder, as the worker sees it.
    expect(result.modelDir).toBe(path.join(runDir, 'final'));
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'training_summary.json'])
      expect(fs.existsSync(path.join(result.modelDir, f))).toBe(true);
    // Progress events reached the workflow: the query and the search attributes.
    const handle = stack.client.workflow.getHandle(runId);
    expect(await progressOf(handle)).toMatchObject({ state: 'succeeded', step: 6 });
    const attrs = (await handle.describe()).typedSearchAttributes;
    expect(attrs.get(SprintProgress)).toBe(6);
    expect(attrs.get(SprintStatus)).toBe('completed');
    expect(run.stderr).toMatch(/step \d+\/6/);
    // The container exited 0 and stays for its logs; the token file is gone.
    expect(inspect(name).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    expect(fs.existsSync(tokenFile)).toBe(false);
    const logs = docker(['logs', name]);
    expect(logs).toContain('"event":"done"');
    expect(logs.match(/"event":"start"/g)).toHaveLength(1);
  });

  it('reattaches to the same running container after the training worker is SIGKILLed', async () => {
    const runId = `ctr-crash-${Date.now()}`;
    const name = jobName(runId, 0);
    expect((await sprint([...trainArgs(runId, 10, 2), '--detach'])).code).toBe(0);
    await waitForStep(runId, 2);
    const before = inspect(name);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.on('exit', r));
    await startWorker();
    const result: unknown = await stack.client.workflow.getHandle(runId).result();
    expect(result).toMatchObject({ steps: 10, restarts: 0, jobName: name });
    // One container, started once: the trainer ran on while no worker watched it.
    expect(containersOf(runId)).toEqual([name]);
    const after = inspect(name);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(0);
    expect(docker(['logs', name]).match(/"event":"start"/g)).toHaveLength(1);
  });

  it('`sprint cancel` stops and removes the container', async () => {
    const runId = `ctr-cancel-${Date.now()}`;
    const name = jobName(runId, 0);
    expect((await sprint([...trainArgs(runId, 50, 2), '--detach'])).code).toBe(0);
    await waitForStep(runId, 1);
    const t0 = Date.now();
    expect((await sprint(['cancel', runId])).code).toBe(0);
    await waitUntil('the container is removed', () => containersOf(runId).length === 0, 120_000);
    console.log(`cancel: container ${name} removed ${Date.now() - t0} ms after \`sprint cancel\``);
    // The activity removed the container first, then reports the cancellation to the workflow.
    const handle = stack.client.workflow.getHandle(runId);
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await progressOf(handle)).state).toBe('cancelled');
  });

  it('fails the run with the reason when the container is killed from outside', async () => {
    const runId = `ctr-kill-${Date.now()}`;
    const name = jobName(runId, 0);
    const running = sprint(trainArgs(runId, 50, 2));
    await waitForStep(runId, 1);
    docker(['kill', name]);
    const run = await running;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`container ${name} was killed (SIGKILL, exit status 137`);
    expect(run.stderr).toContain('not relaunched');
    expect(containersOf(runId)).toEqual([name]);
  });

  it('names the build command when the image is missing', async () => {
    const cfg = { ...stack.config.training.docker, image: 'sprint-sft:not-built' };
    const launcher = new DockerLauncher(cfg);
    const runDir = fs.mkdtempSync(path.join(stack.config.training.runsDir, 'missing-'));
    await expect(
      launcher.launch({
        runId: 'missing',
        name: 'sprint-train-ctr-missing-0',
        launch: 0,
        datasetDir: dataset,
        runDir,
        trainerArgs: [],
      }),
    ).rejects.toThrow(
      'Docker image sprint-sft:not-built not found: build it with `infra/sft/image/build.sh --tag sprint-sft:not-built`',
    );
  });
});
