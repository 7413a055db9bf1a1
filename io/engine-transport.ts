import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

/*
 * The HTTP transport of engine calls (issue 28). One keep-alive agent per protocol, made once per
 * process and shared by every ModelClient, keeps warm connections for a round's fan-out; the
 * `openai` client only needs a `fetch`-shaped function, and this is one.
 *
 * Why node:http and not undici (which the runtime's fetch is built on): undici, since its fix for
 * GHSA-35p6-xmwp-9g52, writes a request on a reused idle connection only after a setImmediate, so
 * that bytes the server sent meanwhile are read first. In an llm worker that is the event loop's
 * next check phase, and 16 activity tasks arriving at once run ahead of it: in the overhead bench the
 * requests of a round left the worker in one burst after the last task was taken in, a median 8 ms
 * (up to 35) after each call asked to send (docs/benchmarks.md, "engine transport"). node:http
 * writes at once, and covers the same stale-connection race the other way: a request that fails
 * with a reset on a reused connection (the engine closed it while idle, before reading anything) is
 * sent once more on a new one, as Node's documentation recommends (`request.reusedSocket`).
 *
 * What callers see is fetch's behaviour: the client's own deadline and cancellation abort the
 * request through its signal (no transport timeouts, so a long generation is never cut); a
 * connection failure is a TypeError "fetch failed" with the reason as its cause; streamed replies
 * (server-sent events) stream; any other reply is read whole, cheaper than a web stream for a JSON
 * body of a few KB (no Accept-Encoding is sent, so it comes uncompressed).
 */

/** How long an idle connection stays open on our side (the engine may close it sooner). */
export const ENGINE_KEEP_ALIVE_MS = 30_000;

const agents = new Map<'http:' | 'https:', http.Agent>();

/** The shared keep-alive agent of a protocol (created on first use). */
function engineAgent(protocol: 'http:' | 'https:'): http.Agent {
  let agent = agents.get(protocol);
  if (!agent) {
    // No cap on connections: the llm worker's concurrent calls (the pool's maxConcurrentCalls) are
    // the bound, and a cap below it would queue calls inside the transport. LIFO reuses the warmest
    // connection and lets the rest time out.
    const options: http.AgentOptions = { keepAlive: true, timeout: ENGINE_KEEP_ALIVE_MS, scheduling: 'lifo' };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(protocol, agent);
  }
  return agent;
}

/** Closes every engine connection (benches and tests that end their process cleanly). */
export async function closeEngineAgents(): Promise<void> {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
  await Promise.resolve();
}

function headerRecord(init: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => (out[name] = value));
  return out;
}

function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/** Statuses whose response has no body (a Response refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/** Errors of a connection the engine closed while it sat idle in the pool. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

interface Sendable {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
}

/** Reads a reply's body whole. */
function readWhole(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    // Destroyed without an error (the request aborted mid-reply): never leave the caller waiting.
    res.on('close', () => {
      if (!res.complete) reject(new Error('the reply ended before its last byte'));
    });
  });
}

/** The reply as a Response: streamed for server-sent events, else read whole first. */
async function toResponse(res: http.IncomingMessage): Promise<Response> {
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage ?? '', headers: responseHeaders(res.headers) };
  if (NO_BODY.has(status)) {
    res.resume();
    return new Response(null, init);
  }
  if ((res.headers['content-type'] ?? '').includes('text/event-stream'))
    return new Response(Readable.toWeb(res) as ReadableStream, init);
  return new Response(await readWhole(res), init);
}

/** Sends one request over the shared agent and reads its reply with `read`. */
function send<T>(
  call: Sendable,
  read: (res: http.IncomingMessage) => Promise<T>,
  retryStale = true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const transport = call.url.protocol === 'https:' ? https : http;
    const req = transport.request(call.url, {
      method: call.method,
      headers: call.headers,
      agent: engineAgent(call.url.protocol === 'https:' ? 'https:' : 'http:'),
      ...(call.signal ? { signal: call.signal } : {}),
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      read(res).then(resolve, (err: unknown) => reject(new TypeError('fetch failed', { cause: err })));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return; // a body error is reported by `read`
      if (call.signal?.aborted) reject(call.signal.reason instanceof Error ? call.signal.reason : err);
      else if (retryStale && req.reusedSocket && STALE_CONNECTION.has(err.code ?? ''))
        send(call, read, false).then(resolve, reject);
      else reject(new TypeError('fetch failed', { cause: err }));
    });
    req.end(call.body);
  });
}

/** A reply read whole, without a web Response around it. */
export interface EngineReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * POSTs a JSON body to an engine over the shared agent and reads the reply whole: the lean path of
 * unstreamed model calls (io/model-client.ts), with no Request, Response or Headers objects to
 * build. Fails as pooledEngineFetch does (an abort with the signal's reason, a connection failure
 * as TypeError "fetch failed"); an HTTP error status is a reply like any other.
 */
export function postEngineJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<EngineReply> {
  signal?.throwIfAborted();
  return send({ url: new URL(url), method: 'POST', headers, body, signal }, async (res) => ({
    status: res.statusCode ?? 0,
    headers: res.headers,
    text: (await readWhole(res)).toString('utf8'),
  }));
}

/**
 * `fetch` for engine calls over the shared keep-alive agent. A Request object, or a body other
 * than text or bytes (forms, streams; no engine call sends them), goes through the runtime's fetch.
 */
export const pooledEngineFetch: typeof fetch = async (input, init) => {
  const body = init?.body;
  if (typeof input !== 'string' && !(input instanceof URL)) return await fetch(input, init);
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
    return await fetch(input, init);
  const url = new URL(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return await fetch(input, init);
  init?.signal?.throwIfAborted();
  return await send(
    {
      url,
      method: init?.method ?? 'GET',
      headers: headerRecord(init?.headers),
      body: body ?? undefined,
      signal: init?.signal ?? undefined,
    },
    toResponse,
  );
};
