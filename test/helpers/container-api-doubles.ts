import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * Test doubles (loopback HTTP) of the two container APIs the training launchers talk to. They keep
 * what they were sent, and tests script the job's state and its log lines.
 */

interface ScriptedJob {
  body: Record<string, unknown>;
  status: { active?: number; succeeded?: number; failed?: number; conditions?: unknown[] };
  /** Log lines with their timestamps. */
  lines: { ts: string; text: string }[];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });
}

/** A Kubernetes API server double: batch/v1 Jobs, the pods of a Job, and pod logs. */
export class KubeApiDouble {
  readonly jobs = new Map<string, ScriptedJob>();
  readonly requests: { method: string; url: string }[] = [];
  private server?: http.Server;
  private clock = Date.parse('2026-01-01T00:00:00Z');
  baseUrl = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  /** A kubeconfig file pointing at this double. */
  kubeconfig(): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-')), 'config');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: double, cluster: { server: "' +
          this.baseUrl +
          '", insecure-skip-tls-verify: true } }]',
        'users: [{ name: tester, user: { token: test-token } }]',
        'contexts: [{ name: double, context: { cluster: double, user: tester, namespace: training } }]',
        'current-context: double',
      ].join('\n'),
    );
    return file;
  }

  /** Appends a line to a Job's pod log (timestamps a few ms apart, like the kubelet's). */
  log(job: string, text: string): void {
    this.clock += 7;
    this.jobs.get(job)?.lines.push({ ts: new Date(this.clock).toISOString().replace(/0+Z$/, 'Z'), text });
  }

  setStatus(job: string, status: ScriptedJob['status']): void {
    const j = this.jobs.get(job);
    if (j) j.status = status;
  }

  private send(res: http.ServerResponse, code: number, body: unknown, type = 'application/json') {
    res.writeHead(code, { 'Content-Type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private notFound(res: http.ServerResponse, what: string) {
    this.send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: `${what} not found`,
      reason: 'NotFound',
      code: 404,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.baseUrl);
    this.requests.push({ method: req.method ?? '', url: url.pathname + url.search });
    const body = await readBody(req);
    let m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(url.pathname);
    if (m) {
      const name = m[2];
      if (req.method === 'POST' && !name) {
        const job = JSON.parse(body) as { metadata: { name: string } };
        if (this.jobs.has(job.metadata.name)) {
          this.send(res, 409, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'AlreadyExists',
            code: 409,
            message: 'exists',
          });
          return;
        }
        this.jobs.set(job.metadata.name, {
          body: job,
          status: { active: 1 },
          lines: [],
        });
        this.send(res, 201, job);
        return;
      }
      const job = name ? this.jobs.get(name) : undefined;
      if (!name || !job) return this.notFound(res, `jobs.batch "${name}"`);
      if (req.method === 'GET') return this.send(res, 200, { ...job.body, status: job.status });
      if (req.method === 'DELETE') {
        this.jobs.delete(name);
        return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      }
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const job = /job-name=(.+)$/.exec(selector)?.[1];
      const items =
        job && this.jobs.has(job)
          ? [{ metadata: { name: `${job}-pod`, creationTimestamp: new Date(0).toISOString() } }]
          : [];
      return this.send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const job = this.jobs.get(m[2]!.replace(/-pod$/, ''));
      if (!job) return this.notFound(res, 'pod');
      const ts = url.searchParams.get('timestamps') === 'true';
      const tail = Number(url.searchParams.get('tailLines') ?? 0);
      const lines = tail ? job.lines.slice(-tail) : job.lines;
      return this.send(
        res,
        200,
        lines.map((l) => (ts ? `${l.ts} ${l.text}` : l.text)).join('\n') + (lines.length ? '\n' : ''),
        'text/plain',
      );
    }
    this.send(res, 404, { kind: 'Status', code: 404, message: `no route ${req.method} ${url.pathname}` });
  }
}

/** A Docker Engine API double on a unix socket: create/start/inspect/logs/stop/remove. */
export class DockerApiDouble {
  readonly containers = new Map<
    string,
    {
      id: string;
      body: Record<string, unknown>;
      state: { Status: string; ExitCode: number };
      stdout: string[];
      stderr: string[];
    }
  >();
  readonly requests: { method: string; url: string }[] = [];
  readonly socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dockerd-')), 'docker.sock');
  /** The highest API version this daemon speaks (GET /version); newer paths get a 400, as dockerd answers. */
  apiVersion = '1.43';
  /** Images this daemon has; a create naming another one gets a 404 (dockerd's "No such image"). */
  images?: Set<string>;
  private server?: http.Server;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(this.socketPath, r));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  private find(ref: string) {
    return this.containers.get(ref) ?? [...this.containers.values()].find((c) => c.id === ref);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://docker');
    this.requests.push({ method: req.method ?? '', url: url.pathname + url.search });
    const body = await readBody(req);
    const version = /^\/v([\d.]+)/.exec(url.pathname)?.[1];
    const p = url.pathname.replace(/^\/v[\d.]+/, '');
    const json = (code: number, b: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(b));
    };
    if (req.method === 'GET' && p === '/version' && !version)
      return json(200, { Version: 'double', ApiVersion: this.apiVersion, MinAPIVersion: '1.12' });
    const newer = (a: string, b: string) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      return x[0]! > y[0]! || (x[0] === y[0] && x[1]! > y[1]!);
    };
    if (version && newer(version, this.apiVersion))
      return json(400, {
        message: `client version ${version} is too new. Maximum supported API version is ${this.apiVersion}`,
      });
    if (req.method === 'POST' && p === '/containers/create') {
      const name = url.searchParams.get('name') ?? '';
      const image = (JSON.parse(body) as { Image?: string }).Image ?? '';
      if (this.images && !this.images.has(image)) return json(404, { message: `No such image: ${image}` });
      if (this.containers.has(name))
        return json(409, { message: `Conflict. The container name "/${name}" is already in use` });
      const id = `c${this.containers.size + 1}`.padEnd(64, '0');
      this.containers.set(name, {
        id,
        body: JSON.parse(body) as Record<string, unknown>,
        state: { Status: 'created', ExitCode: 0 },
        stdout: [],
        stderr: [],
      });
      return json(201, { Id: id, Warnings: [] });
    }
    const m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(p);
    const c = m ? this.find(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !c) return json(404, { message: 'No such container' });
    const action = m[2] ?? '';
    if (req.method === 'POST' && action === '/start') {
      if (c.state.Status === 'running') return res.writeHead(304).end();
      c.state.Status = 'running';
      return res.writeHead(204).end();
    }
    if (req.method === 'GET' && action === '/json') return json(200, { Id: c.id, State: c.state });
    if (req.method === 'POST' && action === '/stop') {
      c.state = { Status: 'exited', ExitCode: 143 };
      return res.writeHead(204).end();
    }
    if (req.method === 'DELETE' && action === '') {
      for (const [k, v] of this.containers) if (v === c) this.containers.delete(k);
      return res.writeHead(204).end();
    }
    if (req.method === 'GET' && action === '/logs') {
      const frames: Buffer[] = [];
      const frame = (stream: number, text: string) => {
        const payload = Buffer.from(text);
        const head = Buffer.alloc(8);
        head[0] = stream;
        head.writeUInt32BE(payload.length, 4);
        frames.push(head, payload);
      };
      const ts = url.searchParams.get('timestamps') === '1';
      if (url.searchParams.get('stdout') === '1')
        c.stdout.forEach((l, i) =>
          frame(1, `${ts ? `2026-01-01T00:00:${String(i).padStart(2, '0')}.000000000Z ` : ''}${l}\n`),
        );
      if (url.searchParams.get('stderr') === '1') c.stderr.forEach((l) => frame(2, `${l}\n`));
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      return res.end(Buffer.concat(frames));
    }
    json(404, { message: `no route ${req.method} ${p}` });
  }
}
