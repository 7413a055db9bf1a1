import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { DockerLauncherConfig } from '../../config/schema/training';
import { mapPath } from './args';
import type { JobHandle, JobStatus, LaunchSpec, Launcher, LineReader } from './types';

/**
 * Docker Engine API launcher (one GPU host): the trainer image runs as a container with GPUs
 * requested through DeviceRequests, the dataset and the run folder bind-mounted, and the job
 * named deterministically so a retried activity finds the container it created.
 */

export const TRAINER_IN_IMAGE = '/opt/sprint-sft/train.py';

/** The non-root user of the trainer image (infra/sft/Dockerfile), used when the worker is root. */
export const IMAGE_USER = { uid: 10001, gid: 10001 };

/** Folder of the run folder that holds the Hub token file while a container runs. */
export const SECRETS_FOLDER = '.sprint-secrets';
const TOKEN_FILE = 'hf_token';

/** How to build a missing trainer image, named in the error. */
export function imageBuildHint(image: string): string {
  return `build it with \`infra/sft/image/build.sh --tag ${image}\` (no registry needed, CPU) or \`docker build -t ${image} infra/sft\` (CUDA base from Docker Hub)`;
}

/** The trainer image is not on the Docker host: no retry helps until someone builds it. */
export class ImageMissingError extends Error {
  constructor(image: string) {
    super(`Docker image ${image} not found: ${imageBuildHint(image)}`);
    this.name = 'ImageMissingError';
  }
}

/** The launch-time facts of a container beyond config and spec: who it runs as, where the token is. */
export interface ContainerRuntime {
  /** `uid:gid` the trainer runs as (never root). */
  user: string;
  /** Container path of the Hub token file, when a token is given. */
  tokenPath?: string;
}

function sizeToBytes(size: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(size);
  if (!m) throw new Error(`bad size ${size}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    (m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'
  ];
  return Number(m[1]) * mult;
}

/** Body of POST /containers/create for one launch (pure: built from config and the launch spec). */
export function buildDockerCreateBody(
  cfg: DockerLauncherConfig,
  spec: LaunchSpec,
  runtime: ContainerRuntime = { user: `${IMAGE_USER.uid}:${IMAGE_USER.gid}` },
): Record<string, unknown> {
  const gpus = cfg.gpus;
  const useGpu = gpus === 'all' || gpus > 0;
  // torchrun starts one trainer process per visible GPU; without GPUs plain python runs it.
  const entrypoint = useGpu
    ? [
        'torchrun',
        '--standalone',
        `--nproc-per-node=${gpus === 'all' ? 'gpu' : String(gpus)}`,
        TRAINER_IN_IMAGE,
      ]
    : ['python', TRAINER_IN_IMAGE];
  // The token itself is never in the container's config (docker inspect shows Env to anyone with
  // the socket): huggingface_hub reads it from the file HF_TOKEN_PATH names.
  const envList = Object.entries({
    PYTHONUNBUFFERED: '1',
    TOKENIZERS_PARALLELISM: 'false',
    ...cfg.env,
    ...(runtime.tokenPath ? { HF_TOKEN_PATH: runtime.tokenPath } : {}),
  }).map(([k, v]) => `${k}=${v}`);
  return {
    Image: cfg.image,
    Entrypoint: entrypoint,
    Cmd: ['--dataset', cfg.dataMount, '--output-dir', cfg.runMount, ...spec.trainerArgs],
    Env: envList,
    User: runtime.user,
    Labels: {
      'org.sprint.kind': 'training',
      'org.sprint.run': spec.runId,
      'org.sprint.launch': String(spec.launch),
    },
    HostConfig: {
      Binds: [`${spec.datasetDir}:${cfg.dataMount}:ro`, `${spec.runDir}:${cfg.runMount}`, ...cfg.binds],
      DeviceRequests: useGpu
        ? [{ Driver: 'nvidia', Count: gpus === 'all' ? -1 : gpus, Capabilities: [['gpu']] }]
        : [],
      ShmSize: sizeToBytes(cfg.shmSize),
      // NVIDIA's settings for GPU containers (pinned memory, NCCL). Only with GPUs: a CPU run needs
      // neither, and an engine that may not raise memlock (a sandbox, rootless) refuses the start.
      Ulimits: useGpu
        ? [
            { Name: 'memlock', Soft: -1, Hard: -1 },
            { Name: 'stack', Soft: 67_108_864, Hard: 67_108_864 },
          ]
        : [],
      ...(cfg.network ? { NetworkMode: cfg.network } : {}),
      // An init process as PID 1 forwards SIGTERM to the trainer: python as PID 1 ignores it, and
      // a stop would wait out its whole grace period before the SIGKILL.
      Init: true,
      // Kept after exit, so `docker logs NAME` still reads the trainer's output.
      AutoRemove: false,
    },
  };
}

/** Translates the trainer's container paths (done event model_dir) back to the host's. */
export function dockerPathToLocal(cfg: DockerLauncherConfig, runDir: string, p: string): string {
  return mapPath([{ local: runDir, remote: cfg.runMount }], p, 'out') ?? p;
}

export interface HttpReply {
  status: number;
  body: Buffer;
}

/** One request to the Docker daemon; `path` is unversioned (the launcher adds the API version). */
export type DockerTransport = (method: string, path: string, body?: unknown) => Promise<HttpReply>;

/** The lower of two API versions ("v1.43", "1.41"), as "v1.41". */
export function lowerApiVersion(a: string, b: string): string {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  const cmp = (x[0]! - y[0]!) * 1000 + ((x[1] ?? 0) - (y[1] ?? 0));
  return `v${(cmp <= 0 ? x : y).join('.')}`;
}

/** HTTP to the Docker daemon over its unix socket or TCP. */
export function dockerTransport(cfg: DockerLauncherConfig): DockerTransport {
  const base = cfg.host ? new URL(cfg.host) : undefined;
  return (method, p, body) =>
    new Promise<HttpReply>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          method,
          path: p,
          ...(base ? { host: base.hostname, port: base.port || 2375 } : { socketPath: cfg.socketPath }),
          headers: {
            Host: 'docker',
            ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Docker API ${method} ${p} timed out`)));
      req.on('error', (err) =>
        reject(new Error(`Docker API unreachable (${cfg.host ?? cfg.socketPath}): ${err.message}`)),
      );
      if (data) req.write(data);
      req.end();
    });
}

/** Splits Docker's multiplexed log stream (8-byte frame headers; stream 1 stdout, 2 stderr). */
export function demuxDockerLogs(buf: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  let i = 0;
  if (
    buf.length >= 8 &&
    buf[0] !== undefined &&
    buf[0] <= 2 &&
    buf[1] === 0 &&
    buf[2] === 0 &&
    buf[3] === 0
  ) {
    while (i + 8 <= buf.length) {
      const stream = buf[i];
      const size = buf.readUInt32BE(i + 4);
      const text = buf.subarray(i + 8, i + 8 + size).toString('utf8');
      if (stream === 2) stderr += text;
      else stdout += text;
      i += 8 + size;
    }
    return { stdout, stderr };
  }
  return { stdout: buf.toString('utf8'), stderr: '' }; // a TTY container: one raw stream
}

/**
 * Reads timestamped log lines ("2026-01-01T00:00:00.123456789Z text") and returns only those newer
 * than the last seen, so a poller can ask for overlapping windows.
 */
/** An RFC 3339 timestamp with its fraction padded to 9 digits, so that strings compare in time order. */
export function normalizeTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}` : ts;
}

export class TimestampedLines {
  private last = '';
  private seenAtLast = new Set<string>();

  accept(text: string): string[] {
    const out: string[] = [];
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      const sp = raw.indexOf(' ');
      const ts = sp > 0 ? normalizeTimestamp(raw.slice(0, sp)) : '';
      const line = sp > 0 ? raw.slice(sp + 1) : raw;
      if (ts < this.last) continue;
      if (ts === this.last) {
        if (this.seenAtLast.has(line)) continue;
      } else {
        this.last = ts;
        this.seenAtLast = new Set();
      }
      this.seenAtLast.add(line);
      out.push(line);
    }
    return out;
  }

  /** Seconds since the epoch of the last line seen (for a `since` parameter), or 0. */
  sinceSeconds(): number {
    const t = Date.parse(this.last);
    return Number.isFinite(t) ? Math.max(0, Math.floor(t / 1000) - 1) : 0;
  }
}

function check(reply: HttpReply, what: string, ok: number[]): void {
  if (!ok.includes(reply.status)) {
    let msg = reply.body.toString('utf8');
    try {
      msg = (JSON.parse(msg) as { message?: string }).message ?? msg;
    } catch {
      // not JSON
    }
    throw new Error(`Docker API ${what}: HTTP ${reply.status} ${msg}`);
  }
}

export interface DockerLauncherOptions {
  transport?: DockerTransport;
  /** The Hub token, written to a file in the run folder for the container's lifetime only. */
  hubToken?: string;
  /** The worker's uid and gid (default: this process's); root's containers run as IMAGE_USER. */
  owner?: { uid: number; gid: number };
}

export class DockerLauncher implements Launcher {
  readonly kind = 'docker' as const;
  private readonly transport: DockerTransport;
  private readonly hubToken?: string;
  private readonly owner?: { uid: number; gid: number };
  private version?: Promise<string>;

  constructor(
    private readonly cfg: DockerLauncherConfig,
    opts: DockerLauncherOptions = {},
  ) {
    this.transport = opts.transport ?? dockerTransport(cfg);
    this.hubToken = opts.hubToken;
    this.owner =
      opts.owner ??
      (process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined);
  }

  /**
   * Requests at the configured API version or the daemon's, whichever is lower (as the docker CLI
   * negotiates): a daemon answers a newer client's paths with 400. /version is unversioned.
   */
  private async api(method: string, p: string, body?: unknown): Promise<HttpReply> {
    this.version ??= this.transport('GET', '/version').then((r) => {
      if (r.status !== 200) return this.cfg.apiVersion;
      const server = (JSON.parse(r.body.toString('utf8')) as { ApiVersion?: string }).ApiVersion;
      return server ? lowerApiVersion(this.cfg.apiVersion, server) : this.cfg.apiVersion;
    });
    let version: string;
    try {
      version = await this.version;
    } catch (err) {
      this.version = undefined; // the daemon may come up later: ask again next time
      throw err;
    }
    return this.transport(method, `/${version}${p}`, body);
  }

  /** Who the trainer runs as: the worker's own user, or the image's non-root user for a root worker. */
  private user(): { uid: number; gid: number } {
    return this.owner && this.owner.uid !== 0 ? this.owner : IMAGE_USER;
  }

  private tokenFile(runDir: string): string {
    return path.join(runDir, SECRETS_FOLDER, TOKEN_FILE);
  }

  /**
   * Makes the run folder the trainer's (a root worker hands it to the image's user) and writes
   * the token file only the trainer's user can read.
   */
  private prepareRunDir(spec: LaunchSpec): ContainerRuntime {
    const u = this.user();
    const handOver = this.owner?.uid === 0;
    fs.mkdirSync(spec.runDir, { recursive: true });
    if (handOver) fs.chownSync(spec.runDir, u.uid, u.gid);
    const runtime: ContainerRuntime = { user: `${u.uid}:${u.gid}` };
    if (!this.hubToken) return runtime;
    const file = this.tokenFile(spec.runDir);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, this.hubToken, { mode: 0o400 });
    if (handOver) {
      fs.chownSync(path.dirname(file), u.uid, u.gid);
      fs.chownSync(file, u.uid, u.gid);
    }
    return { ...runtime, tokenPath: path.posix.join(this.cfg.runMount, SECRETS_FOLDER, TOKEN_FILE) };
  }

  /** Removes the token file: called once the container has ended or is removed. */
  private forgetToken(runDir: string): void {
    fs.rmSync(path.dirname(this.tokenFile(runDir)), { recursive: true, force: true });
  }

  async launch(spec: LaunchSpec): Promise<JobHandle> {
    const handle: JobHandle = {
      launcher: 'docker',
      name: spec.name,
      launch: spec.launch,
      runDir: spec.runDir,
    };
    const runtime = this.prepareRunDir(spec);
    let reply = await this.api(
      'POST',
      `/containers/create?name=${encodeURIComponent(spec.name)}`,
      buildDockerCreateBody(this.cfg, spec, runtime),
    );
    let id: string;
    if (reply.status === 409) {
      // Created by an earlier attempt of this activity: use it.
      reply = await this.api('GET', `/containers/${encodeURIComponent(spec.name)}/json`);
      check(reply, `inspect ${spec.name}`, [200]);
      id = (JSON.parse(reply.body.toString('utf8')) as { Id: string }).Id;
    } else {
      if (reply.status === 404) {
        this.forgetToken(spec.runDir);
        throw new ImageMissingError(this.cfg.image);
      }
      check(reply, `create ${spec.name}`, [201]);
      id = (JSON.parse(reply.body.toString('utf8')) as { Id: string }).Id;
    }
    const started = await this.api('POST', `/containers/${id}/start`);
    check(started, `start ${spec.name}`, [204, 304]);
    return { ...handle, containerId: id };
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const reply = await this.api(
      'GET',
      `/containers/${encodeURIComponent(handle.containerId ?? handle.name)}/json`,
    );
    if (reply.status === 404) {
      this.forgetToken(handle.runDir);
      return { phase: 'missing', message: `container ${handle.name} not found` };
    }
    check(reply, `inspect ${handle.name}`, [200]);
    const state = (
      JSON.parse(reply.body.toString('utf8')) as {
        State: { Status: string; ExitCode: number; Error?: string; OOMKilled?: boolean };
      }
    ).State;
    if (state.Status === 'created') return { phase: 'pending' };
    if (state.Status === 'running' || state.Status === 'restarting' || state.Status === 'paused')
      return { phase: 'running' };
    this.forgetToken(handle.runDir);
    if (state.ExitCode === 0 && state.Status === 'exited') return { phase: 'succeeded', exitCode: 0 };
    return {
      phase: 'failed',
      exitCode: state.ExitCode,
      message: `container ${handle.name} ${endReason(state)}`,
      ...(killedFromOutside(state) ? { relaunchable: false } : {}),
    };
  }

  reader(handle: JobHandle): LineReader {
    const lines = new TimestampedLines();
    const id = encodeURIComponent(handle.containerId ?? handle.name);
    return {
      read: async () => {
        const reply = await this.api(
          'GET',
          `/containers/${id}/logs?stdout=1&stderr=0&timestamps=1&since=${lines.sinceSeconds()}`,
        );
        if (reply.status === 404) return [];
        check(reply, `logs ${handle.name}`, [200]);
        return lines.accept(demuxDockerLogs(reply.body).stdout);
      },
    };
  }

  async logTail(handle: JobHandle, n: number): Promise<string> {
    const reply = await this.api(
      'GET',
      `/containers/${encodeURIComponent(handle.containerId ?? handle.name)}/logs?stdout=1&stderr=1&tail=${n}`,
    );
    if (reply.status !== 200) return '';
    const { stdout, stderr } = demuxDockerLogs(reply.body);
    return [stderr.trim(), stdout.trim().split('\n').slice(-3).join('\n')].filter(Boolean).join('\n');
  }

  async stop(handle: JobHandle): Promise<void> {
    const id = encodeURIComponent(handle.containerId ?? handle.name);
    const stopped = await this.api('POST', `/containers/${id}/stop?t=10`);
    if (![204, 304, 404].includes(stopped.status)) check(stopped, `stop ${handle.name}`, [204]);
    const removed = await this.api('DELETE', `/containers/${id}?force=1`);
    if (![204, 404].includes(removed.status)) check(removed, `remove ${handle.name}`, [204]);
    this.forgetToken(handle.runDir);
  }

  /** Local path of a path the trainer reported inside the container. */
  toLocal(runDir: string, p: string): string {
    return dockerPathToLocal(this.cfg, runDir, p);
  }
}

/** True for an end by the OOM killer or a SIGKILL: someone else ended the job on purpose. */
export function killedFromOutside(state: { ExitCode: number; OOMKilled?: boolean }): boolean {
  return Boolean(state.OOMKilled) || state.ExitCode === 137;
}

/**
 * Why an ended container failed, in words: the OOM killer, a kill from outside (SIGKILL: 137,
 * SIGTERM: 143, without a stop of ours) or the trainer's own exit status.
 */
export function endReason(state: { ExitCode: number; Error?: string; OOMKilled?: boolean }): string {
  if (state.OOMKilled) return 'was killed: out of memory (raise the host memory or lower the batch size)';
  if (state.Error) return `failed: ${state.Error}`;
  if (state.ExitCode === 137)
    return 'was killed (SIGKILL, exit status 137: `docker kill`, the OOM killer of a memory limit, or the host)';
  if (state.ExitCode === 143) return 'was terminated (SIGTERM, exit status 143)';
  return `exited with status ${state.ExitCode}`;
}
