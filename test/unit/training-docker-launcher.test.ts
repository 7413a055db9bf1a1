import { MockActivityEnvironment } from '@temporalio/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../config';
import { createTrainingActivities, type LaunchSpec } from '../../activities/training';
import { jobName } from '../../io/training/args';
import { buildDockerCreateBody, DockerLauncher, SECRETS_FOLDER } from '../../io/training/docker';
import { LocalLauncher } from '../../io/training/local';
import { DockerApiDouble } from '../helpers/container-api-doubles';

/*
 * What the Docker launcher hands the engine (token, mounts, user, API version) and the refusals
 * the training activity makes before anything is mounted, against the Docker Engine API double.
 */

const TOKEN = 'hf_secret_value_0123456789';
const tmpDir = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

describe('Docker launcher: secrets, mounts, user and API version', () => {
  let api: DockerApiDouble;
  beforeAll(async () => {
    api = await new DockerApiDouble().start();
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.containers.clear();
    api.requests.length = 0;
    api.apiVersion = '1.43';
    api.images = undefined;
  });

  const cfg = () =>
    parseConfig({ training: { docker: { socketPath: api.socketPath, gpus: 0 } } }, 't').training.docker;
  const specIn = (runDir: string): LaunchSpec => ({
    runId: 'r1',
    name: jobName('r1', 0),
    launch: 0,
    datasetDir: '/srv/artifacts/ds',
    runDir,
    trainerArgs: [],
  });

  it('keeps the token out of the container config: a file in the run folder, readable by the trainer only, gone at the end', async () => {
    const runDir = path.join(tmpDir('sprint-run-'), 'r1');
    const launcher = new DockerLauncher(cfg(), { hubToken: TOKEN, owner: { uid: 4242, gid: 4343 } });
    const h = await launcher.launch(specIn(runDir));
    const body = api.containers.get(h.name)!.body as {
      Env: string[];
      User: string;
      HostConfig: { Binds: string[] };
    };
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    expect(body.Env).toContain(`HF_TOKEN_PATH=/sprint/run/${SECRETS_FOLDER}/hf_token`);
    expect(body.User).toBe('4242:4343');
    expect(body.HostConfig.Binds).toEqual([`/srv/artifacts/ds:/sprint/data:ro`, `${runDir}:/sprint/run`]);
    const file = path.join(runDir, SECRETS_FOLDER, 'hf_token');
    expect(fs.readFileSync(file, 'utf8')).toBe(TOKEN);
    expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(await launcher.status(h)).toEqual({ phase: 'running' });
    expect(fs.existsSync(file)).toBe(true);
    api.containers.get(h.name)!.state = { Status: 'exited', ExitCode: 0 };
    expect(await launcher.status(h)).toMatchObject({ phase: 'succeeded' });
    expect(fs.existsSync(path.join(runDir, SECRETS_FOLDER))).toBe(false);
  });

  it("runs a root worker's trainer as the image's non-root user, never as root", () => {
    const body = buildDockerCreateBody(cfg(), specIn('/srv/runs/r1')) as { User: string };
    expect(body.User).toBe('10001:10001');
  });

  it('speaks the daemon\'s older API version instead of failing with "client version too new"', async () => {
    api.apiVersion = '1.41';
    const launcher = new DockerLauncher(cfg(), { owner: { uid: 4242, gid: 4242 } });
    await launcher.launch(specIn(path.join(tmpDir('sprint-run-'), 'r1')));
    const versioned = api.requests.filter((r) => r.url !== '/version');
    expect(versioned.length).toBeGreaterThan(0);
    expect(versioned.every((r) => r.url.startsWith('/v1.41/'))).toBe(true);
  });

  it('names the build command when the image is missing, and leaves no token behind', async () => {
    api.images = new Set(['other:1']);
    const runDir = path.join(tmpDir('sprint-run-'), 'r1');
    const launcher = new DockerLauncher(cfg(), { hubToken: TOKEN, owner: { uid: 4242, gid: 4242 } });
    await expect(launcher.launch(specIn(runDir))).rejects.toThrow(
      'Docker image sprint-sft:latest not found: build it with `infra/sft/image/build.sh --tag sprint-sft:latest`',
    );
    expect(fs.existsSync(path.join(runDir, SECRETS_FOLDER))).toBe(false);
  });

  it('reports a kill from outside as not relaunchable, with the reason', async () => {
    const launcher = new DockerLauncher(cfg(), { owner: { uid: 4242, gid: 4242 } });
    const h = await launcher.launch(specIn(path.join(tmpDir('sprint-run-'), 'r1')));
    api.containers.get(h.name)!.state = { Status: 'exited', ExitCode: 137 };
    const st = await launcher.status(h);
    expect(st).toMatchObject({ phase: 'failed', exitCode: 137, relaunchable: false });
    expect(st.message).toContain('container sprint-train-r1-0 was killed (SIGKILL');
  });
});

describe('the training activity refuses paths before anything is launched', () => {
  let api: DockerApiDouble;
  let artifacts: string;
  let dataset: string;
  beforeAll(async () => {
    api = await new DockerApiDouble().start();
    artifacts = tmpDir('sprint-artifacts-');
    dataset = path.join(artifacts, 'datasets', 'cd');
    fs.mkdirSync(dataset, { recursive: true });
  });
  afterAll(() => api.stop());

  function activities(maxRestarts = 2) {
    const config = parseConfig(
      {
        training: {
          launcher: 'docker',
          runsDir: tmpDir('sprint-runs-'),
          pollIntervalMs: 10,
          maxRestarts,
          docker: { socketPath: api.socketPath, gpus: 0 },
        },
      },
      't',
    );
    const docker = new DockerLauncher(config.training.docker, { owner: { uid: 4242, gid: 4242 } });
    return createTrainingActivities({
      training: config.training,
      launchers: { docker },
      artifactsRoot: artifacts,
    });
  }
  const run = (input: { runId: string; datasetDir: string }) =>
    new MockActivityEnvironment().run(activities().runTrainingJob, input);

  beforeEach(() => {
    api.containers.clear();
    api.requests.length = 0;
  });

  it('a run id that is not a slug', async () => {
    const failure = run({ runId: '../../etc', datasetDir: dataset });
    await expect(failure).rejects.toMatchObject({ type: 'BadTrainingInput' });
    await expect(failure).rejects.toThrow('run id "../../etc" is not a slug');
    expect(api.requests).toEqual([]);
  });

  it('a dataset outside the artifacts root, or a symlink under it that leads outside', async () => {
    const outside = tmpDir('sprint-elsewhere-');
    const failure = run({ runId: 'r1', datasetDir: outside });
    await expect(failure).rejects.toMatchObject({ type: 'BadTrainingInput' });
    await expect(failure).rejects.toThrow(`dataset folder ${outside} lies outside the artifacts root`);
    const link = path.join(artifacts, 'datasets', 'escape');
    fs.symlinkSync(outside, link);
    await expect(run({ runId: 'r1', datasetDir: link })).rejects.toThrow(
      `dataset folder ${link} (${fs.realpathSync(outside)}) lies outside the artifacts root`,
    );
    expect(api.requests).toEqual([]);
  });

  it('fails the run at once, naming the build command, when the image is missing', async () => {
    api.images = new Set();
    try {
      const failure = run({ runId: 'r1', datasetDir: dataset });
      await expect(failure).rejects.toMatchObject({ type: 'TrainingJobFailed', nonRetryable: true });
      await expect(failure).rejects.toThrow('infra/sft/image/build.sh --tag sprint-sft:latest');
    } finally {
      api.images = undefined;
    }
  });

  it('mounts a dataset under the artifacts root, by its real path', async () => {
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => {
      for (const c of api.containers.values()) c.state = { Status: 'exited', ExitCode: 137 };
    });
    await expect(env.run(activities().runTrainingJob, { runId: 'r1', datasetDir: dataset })).rejects.toThrow(
      /failed: container sprint-train-r1-0 was killed \(SIGKILL.*not relaunched: ended from outside the run/s,
    );
    const [c] = [...api.containers.values()];
    expect((c!.body.HostConfig as { Binds: string[] }).Binds[0]).toBe(
      `${fs.realpathSync(dataset)}:/sprint/data:ro`,
    );
    expect(api.containers.size).toBe(1); // killed from outside: not relaunched although restarts remain
  });
});

describe('Local launcher environment', () => {
  it("gives the trainer the allow-listed variables and the token, not the worker's secrets", async () => {
    const dir = tmpDir('sprint-local-');
    const python = path.join(dir, 'python');
    fs.writeFileSync(python, '#!/bin/sh\nenv\n', { mode: 0o755 });
    const launcher = new LocalLauncher({
      python,
      env: {
        PATH: process.env.PATH,
        HF_HOME: '/cache/hf',
        SPRINT_API_KEYS: 'sk-live',
        SPRINT_HUB_TOKEN: TOKEN,
      },
      extraEnv: { HF_TOKEN: TOKEN },
    });
    const h = await launcher.launch({
      ...({} as LaunchSpec),
      runId: 'r',
      name: 'r',
      launch: 0,
      datasetDir: dir,
      runDir: dir,
      trainerArgs: [],
    });
    for (let i = 0; i < 100 && (await launcher.status(h)).phase === 'running'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const env = fs.readFileSync(path.join(dir, 'launch-0.events.jsonl'), 'utf8').split('\n');
    expect(env).toEqual(
      expect.arrayContaining(['HF_HOME=/cache/hf', `HF_TOKEN=${TOKEN}`, 'PYTHONUNBUFFERED=1']),
    );
    expect(env.some((l) => l.startsWith('SPRINT_'))).toBe(false);
  });
});
