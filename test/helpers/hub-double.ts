/**
 * TEST DOUBLE of the Hugging Face Hub (the real Hub cannot be reached here): a loopback HTTP server
 * answering the routes @huggingface/hub calls, for model and dataset repos alike:
 *   GET  /api/{models,datasets}/<repo>                        repo info (repoExists)
 *   POST /api/repos/create                                    create (409 when it exists)
 *   GET  /api/{models,datasets}/<repo>/tree/main[/<folder>]   file list: `oid` = git blob id, and for
 *                                                             an LFS file the pointer's blob id plus
 *                                                             `lfs: { oid: sha256, size }`, as the Hub
 *   POST /api/{models,datasets}/<repo>/preupload/main         `lfs` for files over `lfsThreshold`
 *   POST /[datasets/]<repo>.git/info/lfs/objects/batch        basic transfer, PUT to /lfs-upload/<sha>
 *   POST /api/{models,datasets}/<repo>/commit/main            NDJSON: file (base64), lfsFile, deletedFile
 *   GET  /[datasets/]<repo>/resolve/main/<path>               bytes, Range and ETag aware
 * Tokens: `token` may read and write; `readToken` may read public files only (403 on gated files and
 * writes); any other bearer token gets 401; no token may read public files. Files over
 * `lfsThreshold` bytes are stored as LFS, whether committed or seeded with addFile. Every request and
 * commit is recorded so tests can check what was fetched and written.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitBlobId, sha256Hex } from '../../io/hub';

export type HubRepoType = 'model' | 'dataset';

export interface StoredFile {
  content: Buffer;
  lfs: boolean;
  /** Needs a token that accepted the gate (401 without a token, 403 with `readToken`). */
  gated: boolean;
}

export interface StoredRepo {
  type: HubRepoType;
  visibility: string;
  files: Map<string, StoredFile>;
  commits: { oid: string; title: string; paths: string[] }[];
}

export interface RecordedRequest {
  method: string;
  /** Decoded path, without the query. */
  path: string;
  /** Path and query as sent. */
  url: string;
  auth?: string;
}

type Access = 'anonymous' | 'write' | 'read' | 'invalid';

const lfsPointer = (content: Buffer) =>
  Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(content)}\nsize ${content.length}\n`,
  );

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const typeOfSegment = (s: string | undefined): HubRepoType => (s === 'datasets' ? 'dataset' : 'model');

export class HubDouble {
  readonly requests: RecordedRequest[] = [];
  readonly readToken = 'hf_read_only_token';
  /** Files over this many bytes are stored in LFS (the real Hub decides by size and file type). */
  lfsThreshold: number;
  private readonly repos = new Map<string, StoredRepo>();
  private readonly lfsObjects = new Map<string, Buffer>();
  private server?: http.Server;
  private commitCount = 0;

  constructor(
    readonly token = 'hf_test_token',
    opts: { lfsThreshold?: number } = {},
  ) {
    this.lfsThreshold = opts.lfsThreshold ?? 1024;
  }

  get baseUrl(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('Hub double is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `Hub double: ${(err as Error).message}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  repo(name: string, type: HubRepoType = 'model'): StoredRepo | undefined {
    return this.repos.get(`${type}:${name}`);
  }

  commitsOf(name: string, type: HubRepoType = 'model'): StoredRepo['commits'] {
    return this.repo(name, type)?.commits ?? [];
  }

  /** Seeds a file (creating a public repo when needed), stored in LFS when over the threshold. */
  addFile(
    name: string,
    filePath: string,
    content: string | Buffer,
    opts: { type?: HubRepoType; gated?: boolean } = {},
  ): this {
    const repo = this.ensureRepo(name, opts.type ?? 'dataset', 'public');
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    repo.files.set(filePath, {
      content: buf,
      lfs: buf.length > this.lfsThreshold,
      gated: opts.gated ?? false,
    });
    return this;
  }

  private ensureRepo(name: string, type: HubRepoType, visibility: string): StoredRepo {
    const key = `${type}:${name}`;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { type, visibility, files: new Map(), commits: [] };
      this.repos.set(key, repo);
    }
    return repo;
  }

  private access(req: http.IncomingMessage): Access {
    const auth = req.headers.authorization;
    if (!auth) return 'anonymous';
    if (auth === `Bearer ${this.token}`) return 'write';
    if (auth === `Bearer ${this.readToken}`) return 'read';
    return 'invalid';
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const p = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: p,
      url: url.pathname + url.search,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    const body = await readBody(req);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };

    // A pre-signed upload URL: no token, as with the Hub's storage backend.
    if (method === 'PUT' && p.startsWith('/lfs-upload/')) {
      const oid = p.slice('/lfs-upload/'.length);
      if (sha256Hex(body) !== oid) return json(400, { error: 'sha256 mismatch' });
      this.lfsObjects.set(oid, body);
      return json(200, {});
    }

    const access = this.access(req);
    if (access === 'invalid') return json(401, { error: 'Invalid credentials in Authorization header' });
    const needWrite = () => {
      if (access === 'write') return true;
      if (access === 'anonymous') json(401, { error: 'You must be authenticated to write' });
      else json(403, { error: 'This token has no write access' });
      return false;
    };
    const notFound = () => json(404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });

    if (method === 'POST' && p === '/api/repos/create') {
      if (!needWrite()) return;
      const b = JSON.parse(body.toString()) as {
        name: string;
        organization: string;
        visibility?: string;
        type?: HubRepoType;
      };
      const name = `${b.organization}/${b.name}`;
      const type = b.type ?? 'model';
      if (this.repo(name, type)) return json(409, { error: `You already created this ${type} repo` });
      this.ensureRepo(name, type, b.visibility ?? 'public');
      return json(200, { url: `${this.baseUrl}/${type === 'model' ? '' : 'datasets/'}${name}`, id: name });
    }

    let m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)$/.exec(p);
    if (m && method === 'GET') {
      const repo = this.repo(m[2]!, typeOfSegment(m[1]));
      return repo ? json(200, { id: m[2], private: repo.visibility === 'private' }) : notFound();
    }

    m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/tree\/main(?:\/(.*))?$/.exec(p);
    if (m && method === 'GET') {
      const repo = this.repo(m[2]!, typeOfSegment(m[1]));
      if (!repo) return notFound();
      const folder = m[3] ?? '';
      const entries = [...repo.files.entries()]
        .filter(([filePath]) => !folder || filePath.startsWith(`${folder}/`))
        .map(([filePath, f]) => ({
          type: 'file',
          path: filePath,
          size: f.content.length,
          oid: gitBlobId(f.lfs ? lfsPointer(f.content) : f.content),
          ...(f.lfs
            ? {
                lfs: {
                  oid: sha256Hex(f.content),
                  size: f.content.length,
                  pointerSize: lfsPointer(f.content).length,
                },
              }
            : {}),
        }));
      return json(200, entries);
    }

    m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/preupload\/main$/.exec(p);
    if (m && method === 'POST') {
      if (!needWrite()) return;
      if (!this.repo(m[2]!, typeOfSegment(m[1]))) return notFound();
      const b = JSON.parse(body.toString()) as { files: { path: string; size: number }[] };
      return json(200, {
        files: b.files.map((f) => ({
          path: f.path,
          uploadMode: f.size > this.lfsThreshold ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
      });
    }

    m = /^\/(?:(datasets)\/)?([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(p);
    if (m && method === 'POST') {
      if (!needWrite()) return;
      const b = JSON.parse(body.toString()) as { objects: { oid: string; size: number }[] };
      return json(200, {
        transfer: 'basic',
        objects: b.objects.map((o) => ({
          oid: o.oid,
          size: o.size,
          ...(this.lfsObjects.has(o.oid)
            ? {}
            : { actions: { upload: { href: `${this.baseUrl}/lfs-upload/${o.oid}` } } }),
        })),
      });
    }

    m = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/commit\/main$/.exec(p);
    if (m && method === 'POST') {
      if (!needWrite()) return;
      const repo = this.repo(m[2]!, typeOfSegment(m[1]));
      if (!repo) return notFound();
      return this.commit(repo, m[2]!, body, json);
    }

    m = /^\/(?:(datasets)\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p);
    if (m && method === 'GET') {
      const repo = this.repo(m[2]!, typeOfSegment(m[1]));
      if (!repo) return notFound();
      if (m[3] !== 'main')
        return json(404, { error: 'Revision not found' }, { 'X-Error-Code': 'RevisionNotFound' });
      const file = repo.files.get(m[4]!);
      if (!file) return json(404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
      if (file.gated && access === 'anonymous')
        return json(401, { error: 'Access to this dataset is restricted. You must be authenticated.' });
      if (file.gated && access !== 'write')
        return json(403, { error: 'Access to this dataset is restricted: accept its conditions first.' });
      return this.serveBytes(req, res, file);
    }

    json(404, { error: `Hub double: no route ${method} ${p}` });
  }

  private commit(
    repo: StoredRepo,
    name: string,
    body: Buffer,
    json: (status: number, value: unknown) => void,
  ): void {
    const lines = body
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { key: string; value: Record<string, string | undefined> });
    const paths: string[] = [];
    const staged = new Map<string, StoredFile | undefined>();
    for (const { key, value } of lines) {
      const filePath = value.path;
      if (key === 'header' || !filePath) continue;
      if (key === 'file') {
        staged.set(filePath, {
          content: Buffer.from(value.content ?? '', 'base64'),
          lfs: false,
          gated: false,
        });
      } else if (key === 'lfsFile') {
        const content = this.lfsObjects.get(value.oid ?? '');
        if (!content) return json(422, { error: `LFS object ${value.oid} was not uploaded` });
        staged.set(filePath, { content, lfs: true, gated: false });
      } else if (key === 'deletedFile') {
        staged.set(filePath, undefined);
      } else continue;
      paths.push(filePath);
    }
    for (const [filePath, file] of staged) {
      if (file) repo.files.set(filePath, file);
      else repo.files.delete(filePath);
    }
    const header = lines.find((l) => l.key === 'header')?.value ?? {};
    const oid = sha256Hex(Buffer.from(`${name}#${++this.commitCount}`)).slice(0, 40);
    repo.commits.push({ oid, title: header.summary ?? '', paths });
    json(200, { commitOid: oid, commitUrl: `${this.baseUrl}/${name}/commit/${oid}`, hookOutput: '' });
  }

  private serveBytes(req: http.IncomingMessage, res: http.ServerResponse, file: StoredFile): void {
    const content = file.content;
    const headers = {
      ETag: `"${file.lfs ? sha256Hex(content) : gitBlobId(content)}"`,
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (!range) {
      res.writeHead(200, headers);
      res.end(content);
      return;
    }
    if (!content.length) {
      res.writeHead(206, { ...headers, 'content-range': 'bytes */0' });
      res.end();
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : content.length - 1, content.length - 1);
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${content.length}` });
    res.end(content.subarray(start, end + 1));
  }
}
