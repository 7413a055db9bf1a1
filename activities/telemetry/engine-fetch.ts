import { Context } from '@temporalio/activity';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { modelCallRole } from '../../core/telemetry/labels';
import { modelCallMetrics } from '../../io/telemetry/metrics';
import { currentTracing } from '../../io/telemetry/tracing';
import { pooledEngineFetch } from '../../io/engine-transport';

/*
 * The HTTP calls of a replica's model client, observed: a client span around each (a child of the
 * activity's span; it carries the engine's request id, from its x-request-id header or else the
 * completion's id, and ends with the reply's last byte), and the time to the first byte of a
 * streamed reply (the engine's time to first token, as seen from the worker). Passed to ModelClient
 * as its fetch; `inner` is the fetch it wraps. Spans only when the process traced when the client
 * was made (io/telemetry/tracing.ts); without them, an unstreamed call goes straight to `inner`.
 */

const decoder = new TextDecoder();

/** The role of the activity this call runs in (outside an activity: none). */
function currentRole(): string | undefined {
  try {
    return modelCallRole(Context.current().info.activityType);
  } catch {
    return undefined;
  }
}

function urlOf(input: Parameters<typeof fetch>[0]): URL | undefined {
  try {
    return new URL(input instanceof Request ? input.url : String(input));
  } catch {
    return undefined;
  }
}

/** The completion's id from the first bytes of a reply (JSON or server-sent events both start with it). */
function completionId(firstChunk: Uint8Array): string | undefined {
  return /"id"\s*:\s*"([^"]{1,200})"/.exec(decoder.decode(firstChunk.subarray(0, 512)))?.[1];
}

/** The time to the first byte of a streamed reply, without a span. */
async function timeToFirstByte(
  target: { pool: string; replica: string },
  inner: typeof fetch,
  input: Parameters<typeof fetch>[0],
  init: Parameters<typeof fetch>[1],
): Promise<Response> {
  const role = currentRole();
  const sentAt = performance.now();
  const res = await inner(input, init);
  if (!role || !res.ok || !res.body) return res;
  let first = true;
  const observed = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (first) {
          first = false;
          modelCallMetrics.timeToFirstTokenSeconds.observe(
            { ...target, role },
            (performance.now() - sentAt) / 1000,
          );
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(observed, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** Whether engine calls made now get client spans (the process traces). */
export function tracesEngineCalls(): boolean {
  return currentTracing() !== undefined;
}

export function engineFetch(
  target: { pool: string; replica: string },
  inner: typeof fetch = pooledEngineFetch,
): typeof fetch {
  const tracer = currentTracing()?.tracer;
  return async (input, init) => {
    const streamed = typeof init?.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
    if (!tracer) return streamed ? timeToFirstByte(target, inner, input, init) : inner(input, init);
    const role = currentRole();
    const url = urlOf(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const sentAt = performance.now();
    return tracer.startActiveSpan(
      `engine ${method} ${url?.pathname ?? ''}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          ...(url ? { 'server.address': url.hostname, 'url.path': url.pathname } : {}),
          'sprint.pool': target.pool,
          'sprint.replica': target.replica,
          ...(role ? { 'sprint.role': role } : {}),
          'sprint.streamed': streamed,
        },
      },
      async (span: Span) => {
        let res: Response;
        try {
          res = await inner(input, init);
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
          span.end();
          throw err;
        }
        span.setAttribute('http.response.status_code', res.status);
        const requestId = res.headers.get('x-request-id');
        if (requestId) span.setAttribute('engine.request_id', requestId);
        if (res.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` });
        if (!res.body) {
          span.end();
          return res;
        }
        if (!streamed) {
          // A whole reply at once: read here, the span ends with its last byte, and the caller
          // reads it from memory (no stream piped through a transform for each chunk).
          let body: ArrayBuffer;
          try {
            body = await res.arrayBuffer();
          } catch (err) {
            span.recordException(err as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
            span.end();
            throw err;
          }
          const id = requestId
            ? undefined
            : completionId(new Uint8Array(body, 0, Math.min(512, body.byteLength)));
          if (id) span.setAttribute('engine.request_id', id);
          span.end();
          return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
        }
        let first = true;
        let ended = false;
        const end = () => {
          if (!ended) span.end();
          ended = true;
        };
        init?.signal?.addEventListener('abort', end, { once: true });
        const observed = res.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              if (first) {
                first = false;
                if (streamed && role && res.ok)
                  modelCallMetrics.timeToFirstTokenSeconds.observe(
                    { ...target, role },
                    (performance.now() - sentAt) / 1000,
                  );
                const id = requestId ? undefined : completionId(chunk);
                if (id) span.setAttribute('engine.request_id', id);
              }
              controller.enqueue(chunk);
            },
            flush: end,
          }),
        );
        return new Response(observed, {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        });
      },
    );
  };
}
