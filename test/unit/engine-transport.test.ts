import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeEngineAgents, pooledEngineFetch } from '../../io/engine-transport';
import { ModelClient } from '../../io/model-client';
import { LoopbackModelServer } from '../helpers/loopback-model-server';

/** A server that counts the TCP connections it accepts and answers by path. */
function countingServer(handler: http.RequestListener) {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  return {
    server,
    connections: () => connections,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('pooledEngineFetch (io/engine-transport)', () => {
  afterEach(() => closeEngineAgents());

  // The agent may open a second connection when a call follows the previous reply's last byte at once
  // (the first is not idle yet), so these bound the count instead of expecting exactly one.
  it('keeps connections alive across calls: five rounds of 16 calls open at most 32', async () => {
    const s = countingServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: req.url }));
      });
    });
    const base = await s.start();
    try {
      const round = () =>
        Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            const r = await pooledEngineFetch(`${base}/v1/x${i}`, { method: 'POST', body: '{}' });
            return (await r.json()) as { ok: string };
          }),
        );
      expect((await round()).map((b) => b.ok)).toEqual(Array.from({ length: 16 }, (_, i) => `/v1/x${i}`));
      expect(s.connections()).toBeLessThanOrEqual(16);
      for (let i = 0; i < 4; i++) await round();
      expect(s.connections()).toBeLessThanOrEqual(32);
    } finally {
      await s.stop();
    }
  });

  it('passes status, headers (repeated ones too) and an empty 204', async () => {
    const s = countingServer((req, res) => {
      req.resume();
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(503, { 'retry-after': '3', 'content-type': 'text/plain' });
      res.end('busy');
    });
    const base = await s.start();
    try {
      const r = await pooledEngineFetch(`${base}/busy`, { headers: { 'x-a': '1' } });
      expect([r.status, r.headers.get('retry-after'), await r.text()]).toEqual([503, '3', 'busy']);
      expect(r.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      const empty = await pooledEngineFetch(`${base}/empty`);
      expect([empty.status, empty.body]).toEqual([204, null]);
    } finally {
      await s.stop();
    }
  });

  it('fails like fetch when the engine is unreachable: "fetch failed" with the reason as cause', async () => {
    const err = (await pooledEngineFetch('http://127.0.0.1:9/v1/models').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('streams server-sent events as they come and stops a stream when its signal aborts', async () => {
    let closed!: () => void;
    const clientGone = new Promise<void>((resolve) => (closed = resolve));
    const s = countingServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.on('close', () => closed());
      // Nothing more until the client goes away.
    });
    const base = await s.start();
    try {
      const ac = new AbortController();
      const r = await pooledEngineFetch(`${base}/stream`, { signal: ac.signal });
      const reader = r.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value as Uint8Array)).toBe('data: first\n\n');
      ac.abort();
      await expect(reader.read()).rejects.toThrow();
      await clientGone;
    } finally {
      await s.stop();
    }
  });

  it('sends a request on a reused connection at once, with its length, and no transfer encoding', async () => {
    const seen: { length?: string; chunked?: string; socket: unknown }[] = [];
    const s = countingServer((req, res) => {
      seen.push({
        length: req.headers['content-length'],
        chunked: req.headers['transfer-encoding'],
        socket: req.socket,
      });
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    const base = await s.start();
    try {
      await (await pooledEngineFetch(`${base}/a`, { method: 'POST', body: '{"x":1}' })).text();
      // The second call, made in the same tick as the first reply was read: it must go out on the
      // warm connection without waiting for a later turn of the event loop.
      const second = pooledEngineFetch(`${base}/b`, {
        method: 'POST',
        body: new TextEncoder().encode('{"y":22}'),
      });
      await (await second).text();
      expect(seen.map((x) => [x.length, x.chunked])).toEqual([
        ['7', undefined],
        ['8', undefined],
      ]);
      expect(seen[1]!.socket).toBe(seen[0]!.socket);
      expect(s.connections()).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('sends a call once more on a new connection when the engine dropped the idle one it reused', async () => {
    // The engine answers the first request of a connection and drops the connection when a second
    // one arrives on it, before reading it: what a client sees when the engine's keep-alive
    // timeout closed the connection just as the client reused it.
    const served = new WeakSet<object>();
    const s = countingServer((req, res) => {
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ url: req.url })));
    });
    const base = await s.start();
    try {
      const first = await pooledEngineFetch(`${base}/one`, { method: 'POST', body: '{}' });
      expect(await first.json()).toEqual({ url: '/one' });
      const second = await pooledEngineFetch(`${base}/two`, { method: 'POST', body: '{}' });
      expect(await second.json()).toEqual({ url: '/two' });
      expect(s.connections()).toBe(2);
      // A fresh connection that fails is not retried: the failure is the engine's, reported as fetch does.
    } finally {
      await s.stop();
    }
  });

  it('does not send again a call its caller aborted', async () => {
    let requests = 0;
    const s = countingServer((req) => {
      requests += 1;
      req.resume(); // never answers
    });
    const base = await s.start();
    try {
      const ac = new AbortController();
      const call = pooledEngineFetch(`${base}/slow`, { method: 'POST', body: '{}', signal: ac.signal });
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((r) => setTimeout(r, 50));
      expect(requests).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('is what a ModelClient uses by default: 20 calls in a row share a warm connection or two', async () => {
    const engine = await new LoopbackModelServer().start();
    const s = { connections: 0 };
    const listening = (engine as unknown as { server: http.Server }).server;
    listening.on('connection', () => (s.connections += 1));
    try {
      const client = new ModelClient({
        baseUrl: engine.baseUrl,
        model: 'loopback-model',
        engine: 'vllm',
        timeoutMs: 5000,
      });
      for (let i = 0; i < 20; i++) await client.complete({ prompt: `p${i}`, maxTokens: 4 });
      expect(engine.requests).toHaveLength(20);
      expect(s.connections).toBeLessThanOrEqual(2);
    } finally {
      await engine.stop();
    }
  });
});
