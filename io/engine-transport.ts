import { Readable } from 'node:stream';
import { Agent, fetch as undiciFetch, request } from 'undici';

/*
 * The HTTP transport of engine calls (issue 28). One undici Agent per engine origin, made once per
 * process and shared by every ModelClient of that replica, keeps warm keep-alive connections for a
 * round's fan-out. Calls go through undici's `request` (its plain dispatcher API) rather than a
 * WHATWG fetch: the `openai` client only needs a `fetch`-shaped function, and fetch's request and
 * stream machinery costs more per call than the call itself on a loopback engine (16 calls at once
 * reached the engine about a third sooner; docs/benchmarks.md, "engine transport").
 *
 * What stays as it was: the client's own deadline and cancellation abort the request through its
 * signal (the agent's header/body timeouts are off, so a long generation is never cut by the
 * transport); a connection failure surfaces as fetch's does (TypeError "fetch failed" with the
 * reason as its cause), so the client maps it the same way; streamed replies stream.
 */

/** How long an idle connection stays open. */
export const ENGINE_KEEP_ALIVE_MS = 30_000;

const agents = new Map<string, Agent>();

/** The shared agent of an engine origin (created on first use). */
export function engineAgent(url: string | URL): Agent {
  const origin = new URL(url).origin;
  let agent = agents.get(origin);
  if (!agent) {
    // No cap on connections: the llm worker's concurrent calls (the pool's maxConcurrentCalls) are
    // the bound, and a cap below it would queue calls inside the transport.
    agent = new Agent({
      keepAliveTimeout: ENGINE_KEEP_ALIVE_MS,
      keepAliveMaxTimeout: ENGINE_KEEP_ALIVE_MS,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    agents.set(origin, agent);
  }
  return agent;
}

/** Closes every engine agent (benches and tests that end their process cleanly). */
export async function closeEngineAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}

function headerRecord(init: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => (out[name] = value));
  return out;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

const isAbort = (err: unknown) =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');

/** Statuses whose response has no body (a Response refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for engine calls over the origin's pooled agent. Bodies other than text or bytes (forms,
 * streams; no engine call sends them) go through undici's fetch on the same agent.
 */
export const pooledEngineFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const dispatcher = engineAgent(url);
  const body = init?.body;
  if (typeof input !== 'string' && !(input instanceof URL))
    return await undiciFetch(input as never, { ...(init as object), dispatcher });
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
    return await undiciFetch(url, { ...(init as object), dispatcher });
  try {
    const res = await request(url, {
      method: (init?.method ?? 'GET') as 'GET',
      headers: headerRecord(init?.headers),
      body: body ?? null,
      signal: init?.signal ?? undefined,
      dispatcher,
    });
    const headers = responseHeaders(res.headers);
    if (NO_BODY.has(res.statusCode)) {
      res.body.resume();
      return new Response(null, { status: res.statusCode, headers });
    }
    // A streamed reply (server-sent events) is passed on as it arrives; any other is read whole
    // here, cheaper than a web stream for a JSON body of a few KB. (No Accept-Encoding is sent, so
    // the body comes uncompressed.)
    if ((headers.get('content-type') ?? '').includes('text/event-stream'))
      return new Response(Readable.toWeb(res.body) as ReadableStream, { status: res.statusCode, headers });
    return new Response(await res.body.arrayBuffer(), { status: res.statusCode, headers });
  } catch (err) {
    if (isAbort(err) || init?.signal?.aborted) throw err;
    throw new TypeError('fetch failed', { cause: err });
  }
};
