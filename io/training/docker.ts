import * as http from 'node:http';
import type { DockerLauncherConfig } from '../../config/schema/training';
import { mapPath } from './args';
import type { JobHandle, JobStatus, LaunchSpec, Launcher, LineReader } from './types';

/**
 * Docker Engine API launcher (one GPU host): the trainer image runs as a container with GPUs
 * requested through DeviceRequests, the dataset and the run folder bind-mounted, and the job
 * named deterministically so a retried activity finds the container it created.
 */

export const TRAINER_IN_IMAGE = '/opt/sprint-sft/train.py';

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
  env: Record<string, string> = {},
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
  const envList = Object.entries({
    PYTHONUNBUFFERED: '1',
    TOKENIZERS_PARALLELISM: 'false',
    ...cfg.env,
    ...env,
  }).map(([k, v]) => `${k}=${v}`);
  return {
    Image: cfg.image,
    Entrypoint: entrypoint,
    Cmd: ['--dataset', cfg.dataMount, '--output-dir', cfg.runMount, ...spec.trainerArgs],
    Env: envList,
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
      Ulimits: [
        { Name: 'memlock', Soft: -1, Hard: -1 },
        { Name: 'stack', Soft: 67_108_864, Hard: 67_108_864 },
      ],
      ...(cfg.network ? { NetworkMode: cfg.network } : {}),
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

export type DockerTransport = (method: string, path: string, body?: unknown) => Promise<HttpReply>;

/** HTTP to the Docker daemon over its unix socket or TCP. */
export function dockerTransport(cfg: DockerLauncherConfig): DockerTransport {
  const base = cfg.host ? new URL(cfg.host) : undefined;
  return (method, p, body) =>
    new Promise<HttpReply>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          method,
          path: `/${cfg.apiVersion}${p}`,
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

export class DockerLauncher implements Launcher {
  readonly kind = 'docker' as const;
  private readonly api: DockerTransport;

  constructor(
    private readonly cfg: DockerLauncherConfig,
    opts: { transport?: DockerTransport; env?: Record<string, string> } = {},
  ) {
    this.api = opts.transport ?? dockerTransport(cfg);
    this.env = opts.env ?? {};
  }
  private readonly env: Record<string, string>;

  async launch(spec: LaunchSpec): Promise<JobHandle> {
    const handle: JobHandle = {
      launcher: 'docker',
      name: spec.name,
      launch: spec.launch,
      runDir: spec.runDir,
    };
    let reply = await this.api(
      'POST',
      `/containers/create?name=${encodeURIComponent(spec.name)}`,
      buildDockerCreateBody(this.cfg, spec, this.env),
    );
    let id: string;
    if (reply.status === 409) {
      // Created by an earlier attempt of this activity: use it.
      reply = await this.api('GET', `/containers/${encodeURIComponent(spec.name)}/json`);
      check(reply, `inspect ${spec.name}`, [200]);
      id = (JSON.parse(reply.body.toString('utf8')) as { Id: string }).Id;
    } else {
      if (reply.status === 404)
        throw new Error(
          `Docker image ${this.cfg.image} not found: build it with \`docker build -t ${this.cfg.image} infra/sft\``,
        );
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
    if (reply.status === 404) return { phase: 'missing', message: `container ${handle.name} not found` };
    check(reply, `inspect ${handle.name}`, [200]);
    const state = (
      JSON.parse(reply.body.toString('utf8')) as {
        State: { Status: string; ExitCode: number; Error?: string; OOMKilled?: boolean };
      }
    ).State;
    if (state.Status === 'created') return { phase: 'pending' };
    if (state.Status === 'running' || state.Status === 'restarting' || state.Status === 'paused')
      return { phase: 'running' };
    if (state.ExitCode === 0 && state.Status === 'exited') return { phase: 'succeeded', exitCode: 0 };
    const why = state.OOMKilled
      ? 'killed: out of memory'
      : state.Error || `exited with status ${state.ExitCode}`;
    return { phase: 'failed', exitCode: state.ExitCode, message: `container ${handle.name} ${why}` };
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
  }

  /** Local path of a path the trainer reported inside the container. */
  toLocal(runDir: string, p: string): string {
    return dockerPathToLocal(this.cfg, runDir, p);
  }
}
