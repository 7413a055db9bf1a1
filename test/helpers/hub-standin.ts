/**
 * TEST DOUBLE: a loopback stand-in for the Hugging Face Hub's dataset file API (the real Hub cannot
 * be reached here). It serves what `@huggingface/hub`'s listFiles/downloadFile ask for:
 *   GET /api/datasets/<owner>/<name>/tree/<rev>[/<path>]?recursive=...  -> file list (JSON)
 *   GET /datasets/<owner>/<name>/resolve/<rev>/<path>  (Range aware)   -> file bytes
 *   POST /api/repos/create, /api/datasets/<repo>/preupload/<rev>, /api/datasets/<repo>/commit/<rev>
 *     (regular, non-LFS uploads: the NDJSON commit carries base64 file contents)
 * and records every request and commit so tests can check what was fetched and written.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export class HubStandIn {
  readonly requests: { method: string; url: string; auth?: string }[] = [];
  /** repo -> path -> content */
  private readonly repos = new Map<string, Map<string, Buffer>>();
  readonly commits: { repo: string; title: string; files: string[] }[] = [];
  readonly created: { repo: string; private: boolean }[] = [];

  files(repo: string): Map<string, Buffer> | undefined {
    return this.repos.get(repo);
  }
  private server?: http.Server;

  addFile(repo: string, path: string, content: string | Buffer): this {
    if (!this.repos.has(repo)) this.repos.set(repo, new Map());
    this.repos.get(repo)!.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content));
    return this;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('hub stand-in is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handlePost(req, res, Buffer.concat(chunks).toString('utf8')));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      auth: req.headers.authorization,
    });
    const tree = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (tree) {
      const files = this.repos.get(decodeURIComponent(tree[1]!));
      if (!files)
        return void res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":"Repository not found"}');
      const under = tree[3] ? decodeURIComponent(tree[3]) : '';
      const list = [...files.entries()]
        .filter(([p]) => !under || p === under || p.startsWith(`${under}/`))
        .map(([p, b]) => ({ type: 'file', path: p, size: b.length, oid: gitBlobSha(b) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const content = resolve
      ? this.repos.get(decodeURIComponent(resolve[1]!))?.get(decodeURIComponent(resolve[3]!))
      : undefined;
    if (!content) {
      res
        .writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'content-type': 'application/json' })
        .end('{"error":"Entry not found"}');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const headers = { ETag: `"${content.length}"`, 'content-type': 'application/octet-stream' };
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
      res
        .writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${content.length}` })
        .end(content.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, headers).end(content);
  }

  private handlePost(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: 'POST', url: url.pathname, auth: req.headers.authorization });
    const json = (status: number, value: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (!req.headers.authorization) return json(401, { error: 'Unauthorized' });
    if (url.pathname === '/api/repos/create') {
      const b = JSON.parse(body) as { name: string; organization: string; visibility?: string };
      const repo = `${b.organization}/${b.name}`;
      if (this.files(repo)) return json(409, { error: 'You already created this dataset repo' });
      this.created.push({ repo, private: b.visibility === 'private' });
      this.repos.set(repo, new Map());
      return json(200, { url: `${this.url}/datasets/${repo}` });
    }
    const pre = /^\/api\/datasets\/([^/]+\/[^/]+)\/preupload\/[^/]+$/.exec(url.pathname);
    if (pre) {
      const b = JSON.parse(body) as { files: { path: string }[] };
      return json(200, { files: b.files.map((f) => ({ path: f.path, uploadMode: 'regular' })) });
    }
    const commit = /^\/api\/datasets\/([^/]+\/[^/]+)\/commit\/[^/]+$/.exec(url.pathname);
    if (commit) {
      const repo = decodeURIComponent(commit[1]!);
      const files = this.files(repo);
      if (!files) return json(404, { error: 'Repository not found' });
      let title = '';
      const written: string[] = [];
      for (const line of body.split('\n').filter(Boolean)) {
        const op = JSON.parse(line) as {
          key: string;
          value: { summary?: string; path?: string; content?: string };
        };
        if (op.key === 'header') title = op.value.summary ?? '';
        if (op.key === 'file') {
          files.set(op.value.path!, Buffer.from(op.value.content ?? '', 'base64'));
          written.push(op.value.path!);
        }
      }
      this.commits.push({ repo, title, files: written });
      return json(200, {
        commitOid: `c${this.commits.length}`,
        commitUrl: `${this.url}/datasets/${repo}/commit/c${this.commits.length}`,
      });
    }
    return json(404, { error: `no route ${url.pathname}` });
  }
}

function gitBlobSha(b: Buffer): string {
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}
