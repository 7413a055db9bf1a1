import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics';

/** A process's metrics endpoint: `GET /metrics` in Prometheus's text format. */
export interface MetricsEndpoint {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /**
   * More exposition text appended to sprint's own (the Temporal SDK's metrics, which its native
   * runtime serves on a loopback port of its own): one endpoint per process for Prometheus.
   */
  more?: () => Promise<string>;
}

export class MetricsPortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`metrics port ${port} on ${host} is in use`);
    this.name = 'MetricsPortInUseError';
  }
}

/** Figures read from elsewhere when scraped (the task queues' stats), before the registry is rendered. */
const refreshers = new Set<() => Promise<void>>();

/** Runs `refresh` before every scrape of this process's endpoint, until the returned function is called. */
export function refreshBeforeScrape(refresh: () => Promise<void>): () => void {
  const entry = () => refresh();
  refreshers.add(entry);
  return () => refreshers.delete(entry);
}

async function exposition(more: MetricsServerOptions['more']): Promise<string> {
  // Best effort too: a refresher that fails leaves its figures out, not the scrape.
  await Promise.all([...refreshers].map((refresh) => refresh().catch(() => undefined)));
  const own = await metricsRegistry.metrics();
  if (!more) return own;
  // The SDK's half is best effort: a scrape still gets sprint's figures if the runtime is gone.
  const theirs = await more().catch(() => '');
  return theirs ? `${own.trimEnd()}\n${theirs}` : own;
}

/** Serves the metrics until `close()`. Rejects with MetricsPortInUseError when the port is taken. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at GET /metrics\n');
      return;
    }
    exposition(opts.more).then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new MetricsPortInUseError(opts.host, opts.port) : err),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  // Scrapes must not keep a stopping process alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
