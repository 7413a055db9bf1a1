import { MockActivityEnvironment } from '@temporalio/testing';
import { ActivityCancellationDetails } from '@temporalio/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../config';
import { PAPER_BASE_MODEL } from '../../config/schema/training';
import { jobName, mapPath, resolveRun, trainerArgs } from '../../io/training/args';
import {
  buildDockerCreateBody,
  demuxDockerLogs,
  DockerLauncher,
  TimestampedLines,
} from '../../io/training/docker';
import { applyEvent, parseTrainerLine } from '../../io/training/events';
import { buildJobManifest, kubeApis, KubernetesLauncher } from '../../io/training/kubernetes';
import {
  createTrainingActivities,
  type LaunchSpec,
  type TrainingHeartbeat,
  type TrainingJobInput,
  type TrainingJobResult,
} from '../../activities/training';
import { DockerApiDouble, KubeApiDouble } from '../helpers/container-api-doubles';

const spec = (over: Partial<LaunchSpec> = {}): LaunchSpec => ({
  runId: 'Run_42',
  name: jobName('Run_42', 0),
  launch: 0,
  datasetDir: '/srv/data/sprint-ds',
  runDir: '/srv/runs/Run_42',
  trainerArgs: ['--learning_rate', '0.00001'],
  ...over,
});

describe('trainer arguments from config', () => {
  it('leaves the recipe settings to the profile: only the model and profile by default', () => {
    const config = parseConfig({}, 'test');
    const args = trainerArgs(
      { runId: 'r', datasetDir: '/d' },
      resolveRun(config.training, { runId: 'r', datasetDir: '/d' }),
    );
    // Anything passed here would override the recipe (e.g. the released profile's lr 1e-6).
    expect(args).toEqual(['--model_name_or_path', PAPER_BASE_MODEL, '--profile', 'auto']);
  });

  it('passes set fields under their TRL / transformers names, then trainingArgs, then extra flags', () => {
    const config = parseConfig(
      {
        training: {
          profile: 'released',
          hyperparameters: {
            saveSteps: 50,
            warmupRatio: 0.05,
            reportTo: ['tensorboard', 'wandb'],
            pushCheckpointsTo: 'org/sprint-ckpt',
            attnImplementation: 'flash_attention_2',
            trainingArgs: { neftune_noise_alpha: 5, torch_compile: true },
          },
        },
      },
      'test',
    );
    const input = {
      runId: 'r',
      datasetDir: '/d',
      tiny: true,
      hyperparameters: { maxSteps: 7, learningRate: 3e-3, bf16: false },
      extraArgs: ['--sleep_per_step', '0.2'],
    };
    const args = trainerArgs(input, resolveRun(config.training, input));
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(args[0]).toBe('--tiny_qwen2');
    expect(args).not.toContain('--model_name_or_path');
    expect(flag('--profile')).toBe('released');
    expect(flag('--max_steps')).toBe('7');
    expect(Number(flag('--learning_rate'))).toBe(3e-3);
    expect(flag('--bf16')).toBe('false');
    expect(flag('--save_steps')).toBe('50');
    expect(flag('--warmup_steps')).toBe('0.05');
    expect(flag('--report_to')).toBe('tensorboard,wandb');
    expect([flag('--push_to_hub'), flag('--hub_model_id'), flag('--hub_strategy')]).toEqual([
      'true',
      'org/sprint-ckpt',
      'every_save',
    ]);
    expect(flag('--attn_implementation')).toBe('flash_attention_2');
    expect(args.slice(-6)).toEqual([
      '--neftune_noise_alpha',
      '5',
      '--torch_compile',
      'true',
      '--sleep_per_step',
      '0.2',
    ]);
  });

  it('refuses secrets and unknown profiles in the training config', () => {
    expect(() =>
      parseConfig({ training: { hyperparameters: { trainingArgs: { hub_token: 'hf_x' } } } }, 'test'),
    ).toThrow(/training.hyperparameters.trainingArgs: secrets never go in the config/);
    expect(() => parseConfig({ training: { profile: 'huge' } }, 'test')).toThrow(/training.profile/);
    expect(() =>
      parseConfig({ training: { hyperparameters: { trainingArgs: { 'Bad-Name': 1 } } } }, 'test'),
    ).toThrow(/training.hyperparameters.trainingArgs.Bad-Name/);
  });

  it('names jobs deterministically as DNS-1123 labels of at most 63 characters', () => {
    expect(jobName('Run_42', 1)).toBe('sprint-train-run-42-1');
    const long = jobName('x'.repeat(200), 12);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.endsWith('-12')).toBe(true);
  });

  it('maps paths between the host and the container by prefix', () => {
    const map = [{ local: '/srv/data', remote: '/data' }];
    expect(mapPath(map, '/srv/data/ds/train.jsonl')).toBe('/data/ds/train.jsonl');
    expect(mapPath(map, '/srv/database')).toBeUndefined();
    expect(mapPath(map, '/data/x', 'out')).toBe('/srv/data/x');
  });
});

describe('Docker request body from config', () => {
  it('requests all GPUs, mounts the dataset read-only and the run folder, and runs torchrun', () => {
    const cfg = parseConfig(
      {
        training: {
          docker: {
            image: 'reg/sprint-sft:1',
            binds: ['/cache/hf:/cache/huggingface'],
            env: { HF_HOME: '/cache/huggingface' },
          },
        },
      },
      't',
    ).training.docker;
    const body = buildDockerCreateBody(cfg, spec(), {
      user: '1000:1000',
      tokenPath: '/sprint/run/.sprint-secrets/hf_token',
    }) as {
      Image: string;
      Entrypoint: string[];
      Cmd: string[];
      Env: string[];
      User: string;
      Labels: Record<string, string>;
      HostConfig: {
        Init: boolean;
        Binds: string[];
        DeviceRequests: { Driver: string; Count: number; Capabilities: string[][] }[];
        ShmSize: number;
      };
    };
    expect(body.Image).toBe('reg/sprint-sft:1');
    expect(body.Entrypoint).toEqual([
      'torchrun',
      '--standalone',
      '--nproc-per-node=gpu',
      '/opt/sprint-sft/train.py',
    ]);
    expect(body.Cmd).toEqual([
      '--dataset',
      '/sprint/data',
      '--output-dir',
      '/sprint/run',
      '--learning_rate',
      '0.00001',
    ]);
    expect(body.HostConfig.Binds).toEqual([
      '/srv/data/sprint-ds:/sprint/data:ro',
      '/srv/runs/Run_42:/sprint/run',
      '/cache/hf:/cache/huggingface',
    ]);
    expect(body.HostConfig.DeviceRequests).toEqual([
      { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] },
    ]);
    expect(body.HostConfig.ShmSize).toBe(16 * 1024 ** 3);
    expect(body.Env).toEqual(
      expect.arrayContaining([
        'HF_TOKEN_PATH=/sprint/run/.sprint-secrets/hf_token',
        'HF_HOME=/cache/huggingface',
        'PYTHONUNBUFFERED=1',
      ]),
    );
    expect(body.Env.some((e) => e.startsWith('HF_TOKEN='))).toBe(false);
    expect(body.User).toBe('1000:1000');
    expect(body.HostConfig.Init).toBe(true);
    expect(body.Labels).toMatchObject({ 'org.sprint.run': 'Run_42', 'org.sprint.launch': '0' });
  });

  it('asks for a GPU count, or none', () => {
    const two = buildDockerCreateBody(
      parseConfig({ training: { docker: { gpus: 2 } } }, 't').training.docker,
      spec(),
    ) as {
      Entrypoint: string[];
      HostConfig: { DeviceRequests: { Count: number }[]; Ulimits: { Name: string }[] };
    };
    expect(two.HostConfig.DeviceRequests[0]!.Count).toBe(2);
    expect(two.HostConfig.Ulimits.map((u) => u.Name)).toEqual(['memlock', 'stack']);
    expect(two.Entrypoint).toContain('--nproc-per-node=2');
    const none = buildDockerCreateBody(
      parseConfig({ training: { docker: { gpus: 0 } } }, 't').training.docker,
      spec(),
    ) as {
      Entrypoint: string[];
      HostConfig: { DeviceRequests: unknown[]; Ulimits: unknown[] };
    };
    expect(none.HostConfig.DeviceRequests).toEqual([]);
    expect(none.HostConfig.Ulimits).toEqual([]);
    expect(none.Entrypoint[0]).toBe('python');
  });

  it('splits the multiplexed log stream', () => {
    const frame = (s: number, t: string) =>
      Buffer.concat([Buffer.from([s, 0, 0, 0, 0, 0, 0, Buffer.byteLength(t)]), Buffer.from(t)]);
    expect(
      demuxDockerLogs(Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')])),
    ).toEqual({ stdout: 'out1\nout2\n', stderr: 'err\n' });
  });
});

describe('Kubernetes Job manifest from config', () => {
  const cfg = parseConfig(
    {
      training: {
        kubernetes: {
          namespace: 'ml',
          image: 'reg/sprint-sft:1',
          nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' },
          tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
          volumes: [
            { name: 'data', mountPath: '/data', persistentVolumeClaim: 'sprint-data', readOnly: true },
            { name: 'ckpt', mountPath: '/checkpoints', persistentVolumeClaim: 'sprint-ckpt' },
          ],
          pathMap: [{ local: '/srv/data', remote: '/data' }],
          hubTokenSecret: { name: 'hub', key: 'hf' },
        },
      },
    },
    't',
  ).training.kubernetes;
  const job = buildJobManifest(cfg, spec()) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
      backoffLimit: number;
      template: {
        spec: {
          restartPolicy: string;
          nodeSelector: Record<string, string>;
          tolerations: unknown[];
          volumes: Record<string, unknown>[];
          containers: {
            command: string[];
            args: string[];
            env: { name: string; value?: string; valueFrom?: unknown }[];
            resources: { limits: Record<string, string>; requests: Record<string, string> };
            volumeMounts: { name: string; mountPath: string }[];
          }[];
        };
      };
    };
  };
  const pod = job.spec.template.spec;
  const container = pod.containers[0]!;

  it('is a batch/v1 Job that never retries by itself', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: 'sprint-train-run-42-0', namespace: 'ml' });
    expect(job.metadata.labels['sprint/run']).toBe('Run_42');
    expect(job.spec.backoffLimit).toBe(0);
    expect(pod.restartPolicy).toBe('Never');
  });

  it('requests the GPUs of one node and starts one trainer per GPU', () => {
    expect(container.resources.limits['nvidia.com/gpu']).toBe('8');
    expect(container.resources.requests['nvidia.com/gpu']).toBe('8');
    expect(container.command).toEqual([
      'torchrun',
      '--standalone',
      '--nproc-per-node=8',
      '/opt/sprint-sft/train.py',
    ]);
  });

  it('places the pod by node selector and tolerations', () => {
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' });
    expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('mounts the data and checkpoint volumes and maps the dataset path into the pod', () => {
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'data', persistentVolumeClaim: { claimName: 'sprint-data', readOnly: true } },
        { name: 'ckpt', persistentVolumeClaim: { claimName: 'sprint-ckpt', readOnly: false } },
        { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '64Gi' } },
      ]),
    );
    expect(container.volumeMounts.map((v) => v.mountPath)).toEqual(['/data', '/checkpoints', '/dev/shm']);
    expect(container.args.slice(0, 4)).toEqual([
      '--dataset',
      '/data/sprint-ds',
      '--output-dir',
      '/checkpoints/Run_42',
    ]);
  });

  it('takes the Hub token from a Secret, never as a value', () => {
    const token = container.env.find((e) => e.name === 'HF_TOKEN');
    expect(token).toEqual({
      name: 'HF_TOKEN',
      valueFrom: { secretKeyRef: { name: 'hub', key: 'hf', optional: true } },
    });
    expect(JSON.stringify(job)).not.toMatch(/"value":"hf_/);
  });

  it('rejects a volume with no source or two sources', () => {
    expect(() =>
      parseConfig({ training: { kubernetes: { volumes: [{ name: 'x', mountPath: '/x' }] } } }, 't'),
    ).toThrow(/exactly one of/);
  });
});

describe('trainer event stream', () => {
  it('parses events (with a log timestamp prefix) and ignores other lines', () => {
    expect(
      parseTrainerLine(
        '2026-01-01T00:00:00.1Z {"event":"log","step":3,"total":9,"loss":1.5,"eval_loss":null,"lr":0.1,"tokens_per_s":5,"eta_s":2}',
      ),
    ).toMatchObject({ event: 'log', step: 3 });
    expect(parseTrainerLine('Warning: something')).toBeUndefined();
    expect(parseTrainerLine('{"event":"log","step":')).toBeUndefined();
    expect(parseTrainerLine('{"event":"other"}')).toBeUndefined();
  });

  it('folds events into progress, keeping the best eval loss', () => {
    let p = { state: 'launching' as const, step: 0, total: 0, launch: 0, restarts: 0 } as Parameters<
      typeof applyEvent
    >[0];
    p = applyEvent(p, { event: 'start', step: 0, total: 10, resumed_from: null, model: 'm' });
    p = applyEvent(p, { event: 'eval', step: 2, total: 10, eval_loss: 2 });
    p = applyEvent(p, { event: 'eval', step: 4, total: 10, eval_loss: 3 });
    p = applyEvent(p, {
      event: 'log',
      step: 5,
      total: 10,
      loss: 1.25,
      eval_loss: 3,
      lr: 0.1,
      tokens_per_s: 100,
      eta_s: 5,
    });
    expect(p).toMatchObject({
      state: 'running',
      step: 5,
      total: 10,
      loss: 1.25,
      evalLoss: 3,
      bestEvalLoss: 2,
      tokensPerS: 100,
    });
  });

  it('keeps only log lines newer than the last seen, whatever the fraction digits', () => {
    const t = new TimestampedLines();
    expect(t.accept('2026-01-01T00:00:00.1Z a\n2026-01-01T00:00:00.12Z b\n')).toEqual(['a', 'b']);
    expect(
      t.accept('2026-01-01T00:00:00.1Z a\n2026-01-01T00:00:00.12Z b\n2026-01-01T00:00:00.2Z c\n'),
    ).toEqual(['c']);
  });
});

describe('Kubernetes launcher against a loopback API server double (real client)', () => {
  let api: KubeApiDouble;
  let launcher: KubernetesLauncher;
  const cfgFor = (kubeconfig: string) =>
    parseConfig(
      { training: { kubernetes: { kubeconfig, namespace: 'training', resources: { gpus: 1 } } } },
      't',
    ).training.kubernetes;

  beforeAll(async () => {
    api = await new KubeApiDouble().start();
  });
  afterAll(() => api.stop());
  beforeEach(async () => {
    api.jobs.clear();
    const cfg = cfgFor(api.kubeconfig());
    launcher = new KubernetesLauncher(cfg, await kubeApis(cfg));
  });

  it('creates the Job once, follows its log, reports its end and deletes it', async () => {
    const h = await launcher.launch(spec());
    expect(h).toMatchObject({
      launcher: 'kubernetes',
      name: 'sprint-train-run-42-0',
      namespace: 'training',
      runDir: '/checkpoints/Run_42',
    });
    const posted = api.jobs.get(h.name)!.body as {
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    expect(posted.spec.template.spec.containers[0]!.command[0]).toBe('python');
    // A retried activity launching the same name gets the same Job (409 from the server).
    expect(await launcher.launch(spec())).toEqual(h);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(api.jobs.size).toBe(1);

    const reader = launcher.reader(h);
    api.log(h.name, '{"event":"start","step":0,"total":4}');
    api.log(h.name, 'some library warning');
    expect(await reader.read()).toEqual(['{"event":"start","step":0,"total":4}', 'some library warning']);
    api.log(h.name, '{"event":"log","step":1}');
    expect(await reader.read()).toEqual(['{"event":"log","step":1}']);
    expect(await launcher.status(h)).toEqual({ phase: 'running' });
    api.setStatus(h.name, {
      failed: 1,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ],
    });
    const failed = await launcher.status(h);
    expect(failed.phase).toBe('failed');
    expect(failed.message).toContain('BackoffLimitExceeded');
    expect(await launcher.logTail(h, 2)).toBe('some library warning\n{"event":"log","step":1}');
    await launcher.stop(h);
    expect(api.jobs.has(h.name)).toBe(false);
    expect(await launcher.status(h)).toMatchObject({ phase: 'missing' });
  });
});

describe('Docker launcher against a Docker Engine API double (unix socket)', () => {
  let api: DockerApiDouble;
  beforeAll(async () => {
    api = await new DockerApiDouble().start();
  });
  afterAll(() => api.stop());

  it('creates and starts the container once, reads its stdout events, stops and removes it', async () => {
    const cfg = parseConfig({ training: { docker: { socketPath: api.socketPath } } }, 't').training.docker;
    const launcher = new DockerLauncher(cfg, { owner: { uid: 4242, gid: 4242 } });
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-docker-')), 'Run_42');
    const h = await launcher.launch(spec({ runDir }));
    expect(h.containerId).toMatch(/^c1/);
    expect(await launcher.launch(spec({ runDir }))).toEqual(h); // 409 -> the same container
    expect(api.containers.size).toBe(1);
    const c = api.containers.get(h.name)!;
    expect((c.body.HostConfig as { DeviceRequests: unknown[] }).DeviceRequests).toHaveLength(1);
    expect(await launcher.status(h)).toEqual({ phase: 'running' });
    c.stdout.push('{"event":"start","step":0,"total":2}');
    c.stderr.push('a warning');
    const reader = launcher.reader(h);
    expect(await reader.read()).toEqual(['{"event":"start","step":0,"total":2}']);
    c.stdout.push('{"event":"log","step":1}');
    expect(await reader.read()).toEqual(['{"event":"log","step":1}']);
    expect(await launcher.logTail(h, 10)).toContain('a warning');
    c.state = { Status: 'exited', ExitCode: 0 };
    expect(await launcher.status(h)).toEqual({ phase: 'succeeded', exitCode: 0 });
    expect(launcher.toLocal(h.runDir, '/sprint/run/final')).toBe(path.join(runDir, 'final'));
    await launcher.stop(h);
    expect(api.containers.size).toBe(0);
  });
});

describe('the watching activity (Kubernetes API double, mock activity context)', () => {
  let api: KubeApiDouble;
  let tmp: string;
  beforeAll(async () => {
    api = await new KubeApiDouble().start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-watch-'));
  });
  afterAll(() => api.stop());

  async function setup(maxRestarts = 1) {
    api.jobs.clear();
    api.requests.length = 0;
    const config = parseConfig(
      {
        training: {
          launcher: 'kubernetes',
          runsDir: tmp,
          pollIntervalMs: 10,
          maxRestarts,
          kubernetes: {
            kubeconfig: api.kubeconfig(),
            namespace: 'training',
            pathMap: [{ local: '/mnt/ckpt', remote: '/checkpoints' }],
          },
        },
      },
      't',
    );
    const launcher = new KubernetesLauncher(
      config.training.kubernetes,
      await kubeApis(config.training.kubernetes),
    );
    return createTrainingActivities({
      training: config.training,
      launchers: { kubernetes: launcher },
      artifactsRoot: tmp,
    });
  }

  /** Plays a trainer: events on the Job's log, then success or failure. */
  function play(job: string, steps: number[], end: 'done' | 'fail', from = 0) {
    api.log(
      job,
      JSON.stringify({
        event: 'start',
        step: from,
        total: 4,
        resumed_from: from ? `/checkpoints/r/checkpoint-${from}` : null,
        model: 'm',
      }),
    );
    for (const s of steps)
      api.log(
        job,
        JSON.stringify({
          event: 'log',
          step: s,
          total: 4,
          loss: 5 - s,
          eval_loss: null,
          lr: 0.1,
          tokens_per_s: 10,
          eta_s: 1,
        }),
      );
    if (end === 'done') {
      api.log(
        job,
        JSON.stringify({
          event: 'done',
          step: 4,
          total: 4,
          model_dir: '/checkpoints/r/final',
          best_eval_loss: 0.5,
          best_checkpoint: '/checkpoints/r/checkpoint-4',
          train_loss: 1,
        }),
      );
      api.setStatus(job, { succeeded: 1 });
    } else {
      api.log(job, 'Traceback: CUDA out of memory');
      api.setStatus(job, { failed: 1 });
    }
  }

  it('watches the job to its end, heartbeating the handle and progress', async () => {
    const acts = await setup();
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 });
    const beats: TrainingHeartbeat[] = [];
    env.on('heartbeat', (d: TrainingHeartbeat) => {
      beats.push(d);
      if (beats.length === 2) play('sprint-train-r-0', [1, 2, 3, 4], 'done');
    });
    const result = await env.run(acts.runTrainingJob, { runId: 'r', datasetDir: '/data/ds' });
    expect(result).toMatchObject({
      launcher: 'kubernetes',
      jobName: 'sprint-train-r-0',
      steps: 4,
      bestEvalLoss: 0.5,
      restarts: 0,
      modelDir: '/mnt/ckpt/r/final',
    });
    expect(beats[0]!.handle).toMatchObject({ name: 'sprint-train-r-0', namespace: 'training' });
    expect(beats.some((b) => b.progress.step === 4 && b.progress.loss === 1)).toBe(true);
  });

  it('reattaches to the Job named in the heartbeat details instead of creating another', async () => {
    const acts = await setup();
    const first = new MockActivityEnvironment();
    let details: TrainingHeartbeat | undefined;
    first.on('heartbeat', (d: TrainingHeartbeat) => {
      details ??= d;
      first.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    });
    await expect(first.run(acts.runTrainingJob, { runId: 'r', datasetDir: '/data/ds' })).rejects.toThrow();
    expect(api.jobs.has('sprint-train-r-0')).toBe(true); // a worker shutdown does not kill the job
    const posts = api.requests.filter((r) => r.method === 'POST').length;
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: details });
    play('sprint-train-r-0', [1, 2, 3, 4], 'done');
    const result = await retry.run<[TrainingJobInput], TrainingJobResult, typeof acts.runTrainingJob>(
      acts.runTrainingJob,
      { runId: 'r', datasetDir: '/data/ds' },
    );
    expect(result.steps).toBe(4);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(posts);
  });

  it('relaunches a failed job from its checkpoint, then fails with the log tail past the limit', async () => {
    const acts = await setup(1);
    const env = new MockActivityEnvironment();
    let played = 0;
    env.on('heartbeat', () => {
      if (played === 0 && api.jobs.has('sprint-train-r-0')) {
        played = 1;
        play('sprint-train-r-0', [1, 2], 'fail');
      } else if (played === 1 && api.jobs.has('sprint-train-r-1')) {
        played = 2;
        play('sprint-train-r-1', [3], 'fail', 2);
      }
    });
    const err = await env
      .run(acts.runTrainingJob, { runId: 'r', datasetDir: '/data/ds' })
      .catch((e: Error) => e);
    expect(err).toHaveProperty('message');
    expect((err as { type?: string }).type).toBe('TrainingJobFailed');
    expect((err as Error).message).toMatch(/sprint-train-r-1 failed/);
    expect((err as Error).message).toMatch(/CUDA out of memory/);
    expect((err as Error).message).toMatch(/2 launch\(es\), restart limit 1/);
    expect([...api.jobs.keys()].sort()).toEqual(['sprint-train-r-0', 'sprint-train-r-1']);
  });

  it('does not relaunch a job whose trainer says its input cannot work', async () => {
    const acts = await setup(2);
    const env = new MockActivityEnvironment();
    let played = false;
    env.on('heartbeat', () => {
      if (played || !api.jobs.has('sprint-train-r-0')) return;
      played = true;
      api.log(
        'sprint-train-r-0',
        JSON.stringify({
          event: 'error',
          message:
            'DataError: train.jsonl: no example fits max_length 512: the shortest of 507 has 890 tokens',
          type: 'DataError',
          retryable: false,
        }),
      );
      api.setStatus('sprint-train-r-0', { failed: 1 });
    });
    const err = (await env
      .run(acts.runTrainingJob, { runId: 'r', datasetDir: '/data/ds' })
      .catch((e: Error) => e)) as Error & { type?: string; nonRetryable?: boolean };
    expect(err.type).toBe('BadTrainingInput');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toBe(
      'training job sprint-train-r-0 cannot run on its input: DataError: train.jsonl: no example fits ' +
        'max_length 512: the shortest of 507 has 890 tokens (not relaunched: it would fail the same way)',
    );
    expect([...api.jobs.keys()]).toEqual(['sprint-train-r-0']); // one launch, despite 2 restarts allowed
  });

  it('deletes the Job when the activity is cancelled', async () => {
    const acts = await setup();
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () =>
      env.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true })),
    );
    await expect(env.run(acts.runTrainingJob, { runId: 'r', datasetDir: '/data/ds' })).rejects.toThrow();
    expect(api.jobs.size).toBe(0);
    expect(api.requests.some((r) => r.method === 'DELETE' && r.url.includes('sprint-train-r-0'))).toBe(true);
  });
});
