import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback stand-in of the Hugging Face Hub API, for the parts @huggingface/hub uses to publish
 * a model: repo existence and creation, the file tree, preupload (regular vs LFS), the LFS batch
 * API with basic PUT uploads, and NDJSON commits. It checks the bearer token and keeps every repo's
 * files and commits so tests can look at what was published.
 */

interface StoredFile {
  content: Buffer;
  lfs: boolean;
}

export interface HubRepo {
  visibility: string;
  files: Map<string, StoredFile>;
  commits: { oid: string; title: string; paths: string[] }[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitOid = (b: Buffer) =>
  createHash('sha1')
    .update(Buffer.from(`blob ${b.length}\0`))
    .update(b)
    .digest('hex');

function body(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export class HubDouble {
  readonly repos = new Map<string, HubRepo>();
  readonly lfs = new Map<string, Buffer>();
  readonly requests: { method: string; path: string }[] = [];
  /** Files above this size are LFS (the real Hub decides by size and content). */
  lfsThreshold = 1024;
  baseUrl = '';
  private server?: http.Server;

  constructor(readonly token = 'hf_test_token') {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  commitsOf(repo: string) {
    return this.repos.get(repo)?.commits ?? [];
  }

  private json(res: http.ServerResponse, code: number, value: unknown) {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(value));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const p = decodeURIComponent(url.pathname);
    this.requests.push({ method: req.method ?? '', path: p });
    const data = await body(req);
    if (req.method === 'PUT' && p.startsWith('/lfs-upload/')) {
      const oid = p.slice('/lfs-upload/'.length);
      if (sha256(data) !== oid) return this.json(res, 400, { error: 'sha256 mismatch' });
      this.lfs.set(oid, data);
      return this.json(res, 200, {});
    }
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return this.json(res, 401, { error: 'Invalid credentials in Authorization header' });

    if (req.method === 'POST' && p === '/api/repos/create') {
      const b = JSON.parse(data.toString()) as {
        name: string;
        organization: string;
        visibility?: string;
        type?: string;
      };
      const id = `${b.organization}/${b.name}`;
      if (this.repos.has(id))
        return this.json(res, 409, {
          error: 'You already created this model repo',
          url: `${this.baseUrl}/${id}`,
        });
      this.repos.set(id, { visibility: b.visibility ?? 'public', files: new Map(), commits: [] });
      return this.json(res, 200, { url: `${this.baseUrl}/${id}`, id });
    }
    let m = /^\/api\/models\/([^/]+\/[^/]+)$/.exec(p);
    if (m && req.method === 'GET') {
      const repo = this.repos.get(m[1]!);
      return repo
        ? this.json(res, 200, { id: m[1], private: repo.visibility === 'private' })
        : this.json(res, 404, { error: 'Repository not found' });
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main(?:\/(.*))?$/.exec(p);
    if (m && req.method === 'GET') {
      const repo = this.repos.get(m[1]!);
      if (!repo) return this.json(res, 404, { error: 'Repository not found' });
      const entries = [...repo.files.entries()].map(([path, f]) => ({
        type: 'file',
        path,
        size: f.content.length,
        oid: f.lfs
          ? gitOid(
              Buffer.from(
                `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(f.content)}\nsize ${f.content.length}\n`,
              ),
            )
          : gitOid(f.content),
        ...(f.lfs ? { lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 } } : {}),
      }));
      return this.json(res, 200, entries);
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/main$/.exec(p);
    if (m && req.method === 'POST') {
      if (!this.repos.has(m[1]!)) return this.json(res, 404, { error: 'Repository not found' });
      const b = JSON.parse(data.toString()) as { files: { path: string; size: number }[] };
      return this.json(res, 200, {
        files: b.files.map((f) => ({
          path: f.path,
          uploadMode: f.size > this.lfsThreshold || f.path.endsWith('.safetensors') ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
      });
    }
    m = /^\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(p);
    if (m && req.method === 'POST') {
      const b = JSON.parse(data.toString()) as { objects: { oid: string; size: number }[] };
      return this.json(res, 200, {
        transfer: 'basic',
        objects: b.objects.map((o) => ({
          oid: o.oid,
          size: o.size,
          ...(this.lfs.has(o.oid)
            ? {}
            : { actions: { upload: { href: `${this.baseUrl}/lfs-upload/${o.oid}` } } }),
        })),
      });
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/main$/.exec(p);
    if (m && req.method === 'POST') {
      const repo = this.repos.get(m[1]!);
      if (!repo) return this.json(res, 404, { error: 'Repository not found' });
      const lines = data
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; value: Record<string, string> });
      const header = lines.find((l) => l.key === 'header')?.value ?? {};
      const paths: string[] = [];
      for (const l of lines) {
        if (l.key === 'file') {
          repo.files.set(l.value.path!, { content: Buffer.from(l.value.content!, 'base64'), lfs: false });
          paths.push(l.value.path!);
        } else if (l.key === 'lfsFile') {
          const content = this.lfs.get(l.value.oid!);
          if (!content) return this.json(res, 422, { error: `LFS object ${l.value.oid} was not uploaded` });
          repo.files.set(l.value.path!, { content, lfs: true });
          paths.push(l.value.path!);
        } else if (l.key === 'deletedFile') {
          repo.files.delete(l.value.path!);
          paths.push(l.value.path!);
        }
      }
      const oid = randomBytes(20).toString('hex');
      repo.commits.push({ oid, title: header.summary ?? '', paths });
      return this.json(res, 200, {
        commitOid: oid,
        commitUrl: `${this.baseUrl}/${m[1]}/commit/${oid}`,
        hookOutput: '',
      });
    }
    this.json(res, 404, { error: `no route ${req.method} ${p}` });
  }
}
