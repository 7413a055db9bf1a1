import type { ServerResponse } from 'node:http';

/*
 * Server-sent events the way OpenAI streams: `data: <json>` blocks, `data: [DONE]` at the end, and
 * comment lines as keep-alives while a long round runs (proxies close idle connections).
 */
export class SseStream {
  private lastWrite = Date.now();

  constructor(private readonly res: ServerResponse) {}

  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  send(data: unknown): void {
    if (this.closed) return;
    this.res.write(`data: ${JSON.stringify(data)}\n\n`);
    this.lastWrite = Date.now();
  }

  /** A comment line when nothing was written for `idleMs`. */
  keepAlive(idleMs: number): void {
    if (this.closed || Date.now() - this.lastWrite < idleMs) return;
    this.res.write(': keep-alive\n\n');
    this.lastWrite = Date.now();
  }

  end(): void {
    if (this.closed) return;
    this.res.end('data: [DONE]\n\n');
  }
}
