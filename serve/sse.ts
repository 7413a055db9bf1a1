import type { ServerResponse } from 'node:http';

/*
 * Server-sent events the way OpenAI streams: `data: <json>` blocks, `data: [DONE]` at the end, and
 * comment lines as keep-alives while a long round runs (proxies close idle connections). A client
 * that reads slowly holds the writer back: send() waits for the socket to drain (or close) rather
 * than piling the rest of a session's text into memory.
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

  async send(data: unknown): Promise<void> {
    if (this.closed) return;
    const flushed = this.res.write(`data: ${JSON.stringify(data)}\n\n`);
    this.lastWrite = Date.now();
    if (!flushed) await this.drained();
  }

  /** A comment line when nothing was written for `idleMs` (none while the client has not drained). */
  keepAlive(idleMs: number): void {
    if (this.closed || this.res.writableNeedDrain || Date.now() - this.lastWrite < idleMs) return;
    this.res.write(': keep-alive\n\n');
    this.lastWrite = Date.now();
  }

  end(): void {
    if (this.closed) return;
    this.res.end('data: [DONE]\n\n');
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}
