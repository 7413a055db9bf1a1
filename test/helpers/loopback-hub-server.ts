/**
 * TEST DOUBLE: a loopback stand-in for the Hugging Face Hub's file endpoint (the real Hub cannot be
 * reached here). Serves `/{datasets/}<repo>/resolve/<revision>/<path>` with ETag and byte ranges, as
 * `@huggingface/hub`'s downloadFile expects; a file may require a bearer token (gated datasets).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFile {
  /** Text, or bytes for binary files (Parquet). */
  content: string | Uint8Array;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export class LoopbackHubServer {
  readonly files = new Map<string, HubFile>();
  readonly requests: { url: string; auth?: string }[] = [];
  private server?: http.Server;

  /** Adds a dataset file: `repo` like `owner/name`. */
  addDatasetFile(
    repo: string,
    revision: string,
    file: string,
    content: string | Uint8Array,
    token?: string,
  ): this {
    this.files.set(`/datasets/${repo}/resolve/${revision}/${file}`, { content, token });
    return this;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('loopback hub server is not started');
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
    const url = decodeURIComponent((req.url ?? '').replace(/\?.*$/, ''));
    const auth = req.headers.authorization;
    this.requests.push({ url, auth });
    const file = this.files.get(url);
    if (!file) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Entry not found' }));
      return;
    }
    if (file.token && auth !== `Bearer ${file.token}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Access to this dataset is restricted. You must be authenticated.' }));
      return;
    }
    const body = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
    const headers = {
      ETag: `"${body.length}-${url.length}"`,
      'content-type': 'text/plain; charset=utf-8',
      'accept-ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}` });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, headers);
    res.end(body);
  }
}
