import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { parseConfig } from '../../config';
import { buildServeApp, defaultServeOptions } from '../../serve/app';
import { runFailure } from '../../serve/pipeline/run-failure';

/*
 * The front door without a Temporal server: raw HTTP requests to the app on a loopback port, and a
 * preHandler hook added by the test records every request that got past authentication to a
 * handler (and stops it there, so no workflow is ever started). The client is lazy and never
 * connects.
 */

const KEY = 'front-door-key-1';
const KEYED_ROUTES = [
  { method: 'GET', url: '/v1/models' },
  { method: 'POST', url: '/v1/chat/completions' },
  { method: 'POST', url: '/v1/completions' },
  { method: 'GET', url: '/v1/sessions/serve-123-0123456789abcdef' },
] as const;
const BODY = { model: 'sprint', messages: [{ role: 'user', content: 'hi' }], prompt: 'hi' };

describe('sprint serve: deny by default, on the matched route', () => {
  let app: FastifyInstance;
  let port: number;
  const reached: string[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    app = buildServeApp({
      client: new Client(),
      config: parseConfig({}),
      apiKeys: [KEY],
      options: { ...defaultServeOptions, log: (line) => logLines.push(line), uiLink: () => '' },
    });
    app.addHook('preHandler', async (request, reply) => {
      if (request.routeOptions.url === undefined) return; // the 404 handler
      reached.push(`${request.method} ${request.routeOptions.url}`);
      if (!['/health', '/v1/models', '/v1/broken'].includes(request.routeOptions.url))
        return reply.code(299).send({ reached: true });
    });
    // A handler that fails the way an engine call can: its message names an internal address.
    app.get('/v1/broken', async () => {
      throw new Error('connect ECONNREFUSED http://10.1.2.3:8000/v1/completions');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());
  beforeEach(() => (reached.length = 0));

  /** node:http, not fetch: fetch would normalise the path (dot segments) before sending it. */
  const send = (method: string, path: string, authorization?: string) =>
    new Promise<{ statusCode: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const body = method === 'POST' ? JSON.stringify(BODY) : undefined;
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: {
              ...(authorization === undefined ? {} : { authorization }),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );

  it('every keyed route and its encoded, doubled-slash, dot-segment and case variants: 401 without a key', async () => {
    for (const { method, url } of KEYED_ROUTES) {
      const rest = url.slice('/v1/'.length);
      const variants = [
        url,
        `/%761/${rest}`,
        `/v%31/${rest}`,
        `/%76%31/${rest}`,
        `/%2576%31/${rest}`,
        `/v1/${rest.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
        `/v1/${rest.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
        `//v1/${rest}`,
        `/v1//${rest}`,
        `/./v1/${rest}`,
        `/v1/./${rest}`,
        `/x/../v1/${rest}`,
        `/v1/%2e%2e/v1/${rest}`,
        `/V1/${rest}`,
        `/v1/${rest.toUpperCase()}`,
        `${url}/`,
        `${url}?x=1`,
        `${url}#frag`,
      ];
      for (const variant of variants) {
        const res = await send(method, variant);
        expect({ variant, status: res.statusCode }).toEqual({ variant, status: 401 });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    expect(reached).toEqual([]);
  });

  it('the decoded path that matches a route works with a key; /health needs none', async () => {
    const models = await send('GET', '/%761/models', `Bearer ${KEY}`);
    expect(models.statusCode).toBe(200);
    expect((JSON.parse(models.body) as { object: string }).object).toBe('list');
    expect((await send('GET', '/health')).statusCode).toBe(200);
    expect((await send('GET', '/%68ealth')).statusCode).toBe(200);
    // A path that matches nothing is refused before it could be told apart from a real route.
    expect((await send('GET', '/nothing-here')).statusCode).toBe(401);
    expect((await send('GET', '/nothing-here', `Bearer ${KEY}`)).statusCode).toBe(404);
    expect(reached).toEqual(['GET /v1/models', 'GET /health', 'GET /health']);
  });

  it('an internal error: 500 in the OpenAI shape with a request id, its text only in the log', async () => {
    const res = await send('GET', '/v1/broken', `Bearer ${KEY}`);
    expect(res.statusCode).toBe(500);
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        message: `the server had an error with this request; the server log has the details under request id ${id}`,
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    expect(logLines.find((l) => l.startsWith(`${id} internal error`))).toContain('http://10.1.2.3:8000');
    // Every answer carries its own id, refusals included.
    const refused = await send('GET', '/v1/models');
    expect(refused.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
    expect(refused.headers['x-request-id']).not.toBe(id);
  });

  it('property: no request without a valid key reaches a handler other than /health', async () => {
    const encodeSome = (path: string, picks: readonly boolean[]) =>
      [...path]
        .map((c, i) =>
          c !== '/' && picks[i % picks.length] ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c,
        )
        .join('');
    const variant = fc
      .record({
        route: fc.constantFrom(...KEYED_ROUTES),
        encode: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
        upper: fc.boolean(),
        prefix: fc.constantFrom('', '/', '/.', '/a/..', '/%2e'),
        suffix: fc.constantFrom('', '/', '?q=1', '/.', '%00'),
        authorization: fc.constantFrom(
          undefined,
          '',
          'Bearer',
          'Bearer ',
          'Bearer wrong',
          `Bearer ${KEY.slice(1)}`,
          `Bearer ${KEY}x`,
          `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`,
          `${KEY}`,
          `Bearer ${KEY} ${KEY}`,
        ),
      })
      .map((v) => ({
        ...v,
        url: `${v.prefix}${encodeSome(v.upper ? v.route.url.toUpperCase() : v.route.url, v.encode)}${v.suffix}`,
      }));
    await fc.assert(
      fc.asyncProperty(variant, async ({ route, url, authorization }) => {
        reached.length = 0;
        const res = await send(route.method, url, authorization);
        return reached.length === 0 && res.statusCode === 401;
      }),
      { numRuns: 300 },
    );
  });
});

describe('sprint serve: errors say little, the log says it all', () => {
  it('a failed session: 502 with the workflow and request ids; the failure chain only in the log', () => {
    const log: string[] = [];
    const cause = ApplicationFailure.create({
      message: 'engine http://10.1.2.3:8000 answered 500: CUDA out of memory',
      type: 'EngineError',
    });
    const err = new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);
    const failure = runFailure(err, 'serve-1-abc', 'req_0123', (l) => log.push(l));
    expect(failure).toEqual({
      status: 502,
      type: 'session_failed',
      message: 'session serve-1-abc failed; the server log has the details under request id req_0123',
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^req_0123 serve-1-abc failed: .*http:\/\/10\.1\.2\.3:8000.*CUDA out of memory/);
    const cancelled = new WorkflowFailedError(
      'cancelled',
      new CancelledFailure('x'),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    expect(runFailure(cancelled, 'serve-2', 'req_1', () => undefined).status).toBe(409);
  });
});
