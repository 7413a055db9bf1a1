import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { parseConfig } from '../../config';
import { TokenBucket } from '../../core/serve/token-bucket';
import { payloadCodecs } from '../../io/codec';
import { buildServeApp, defaultServeOptions } from '../../serve/app';
import { PerKeyLimits } from '../../serve/per-key-limits';
import { limit } from '../../serve/pipeline/limit';

describe('token bucket', () => {
  it('admits a burst, then the refill rate, and says when the next token comes', () => {
    const bucket = new TokenBucket({ perMinute: 60, burst: 3 }, 0);
    expect([0, 0, 0].map((t) => bucket.take(t).ok)).toEqual([true, true, true]);
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.take(999).ok).toBe(false);
    expect(bucket.take(1000).ok).toBe(true);
  });

  it('never admits more than the burst plus what the rate refilled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }),
        (perMinute, burst, gaps) => {
          const bucket = new TokenBucket({ perMinute, burst }, 0);
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            const answer = bucket.take(now);
            if (answer.ok) admitted += 1;
            else expect(answer.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          }
          expect(admitted).toBeLessThanOrEqual(burst + Math.floor((now * perMinute) / 60_000) + 1e-9);
        },
      ),
    );
  });
});

describe('per-key limits', () => {
  it("holds each key to its own sessions and rate; one key's burst leaves the others theirs", () => {
    const limits = new PerKeyLimits({ maxConcurrent: 2, perMinute: 60, burst: 3 });
    const a1 = limits.admit('a', 0);
    const a2 = limits.admit('a', 0);
    expect([a1.ok, a2.ok]).toEqual([true, true]);
    expect(limits.admit('a', 0)).toEqual({ ok: false, reason: 'concurrency' });
    expect(limits.admit('b', 0).ok).toBe(true);
    if (a1.ok) a1.release();
    expect(limits.inUse('a')).toBe(1);
    expect(limits.admit('a', 0).ok).toBe(true); // third token of the burst
    if (a2.ok) a2.release();
    expect(limits.admit('a', 0)).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: 1 });
  });

  it('answers 429 with Retry-After naming which limit was hit', () => {
    const context = {
      limit: { tryAcquire: () => () => undefined, max: 64 },
      perKey: new PerKeyLimits({ maxConcurrent: 1, perMinute: 6, burst: 2 }),
      options: { retryAfterSeconds: 5 },
    } as unknown as Parameters<typeof limit>[0];
    const first = limit(context, 'k', 0);
    expect(first.ok).toBe(true);
    const busy = limit(context, 'k', 0);
    expect(busy).toMatchObject({
      ok: false,
      error: { status: 429, headers: { 'retry-after': '5' } },
    });
    if (first.ok) first.release();
    const third = limit(context, 'k', 0);
    if (third.ok) third.release();
    const limited = limit(context, 'k', 0);
    expect(limited).toMatchObject({ ok: false, error: { status: 429, headers: { 'retry-after': '10' } } });
    if (!limited.ok) expect(limited.error.message).toMatch(/more than 6 requests a minute \(burst 2\)/);
  });
});

describe('codec endpoint', () => {
  const keysEnv = `SPRINT_TEST_CODEC_KEYS_${randomBytes(3).toString('hex')}`;
  const KEY = 'codec-api-key';
  const UI = 'http://localhost:8233';
  let app: FastifyInstance;
  let base = '';
  let config: ReturnType<typeof parseConfig>;

  beforeAll(async () => {
    process.env[keysEnv] = `k1=${randomBytes(32).toString('base64')}`;
    config = parseConfig({ temporal: { encryption: { keysEnv } } });
    app = buildServeApp({
      client: new Client(),
      config,
      apiKeys: [KEY],
      options: { ...defaultServeOptions, log: () => undefined, uiLink: () => '' },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    delete process.env[keysEnv];
  });

  const call = async (method: string, url: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { statusCode: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
  };

  const sealedQuestion = async () => {
    const [sealed] = await payloadCodecs(config)[0]!.encode([
      defaultPayloadConverter.toPayload('secret question'),
    ]);
    return {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(sealed!.data!).toString('base64'),
        },
      ],
    };
  };

  it('decodes for a caller with an API key, with CORS for the Web UI', async () => {
    const res = await call(
      'POST',
      '/codec/decode',
      { authorization: `Bearer ${KEY}`, origin: UI, 'x-namespace': 'default' },
      await sealedQuestion(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    const body = JSON.parse(res.text) as { payloads: { data: string }[] };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toBe('"secret question"');
  });

  it('refuses a caller without a key, and malformed bodies', async () => {
    const body = await sealedQuestion();
    const anonymous = await call('POST', '/codec/decode', {}, body);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.text).not.toContain('secret question');
    const bad = await call('POST', '/codec/decode', { authorization: `Bearer ${KEY}` }, { payloads: 'nope' });
    expect(bad.statusCode).toBe(400);
  });

  it("answers the browser's preflight for the UI's origin only", async () => {
    const ok = await call('OPTIONS', '/codec/decode', {
      origin: UI,
      'access-control-request-method': 'POST',
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-headers']).toContain('authorization');
    const other = await call('OPTIONS', '/codec/decode', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is not there when encryption is off', async () => {
    const plain = buildServeApp({
      client: new Client(),
      config: parseConfig({}),
      apiKeys: [KEY],
      options: { ...defaultServeOptions, log: () => undefined, uiLink: () => '' },
    });
    await plain.listen({ host: '127.0.0.1', port: 0 });
    const port = (plain.server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/codec/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    await plain.close();
  });
});
