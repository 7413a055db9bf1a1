import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpStatusLabel } from '../core/telemetry/labels';
import { httpMetrics } from '../io/telemetry/metrics';

/*
 * The front door's telemetry. Every request is counted by route, method and status and timed until
 * its response is done (a streamed answer: its last byte; counted on the socket's close because a
 * streamed reply leaves Fastify's lifecycle). The route is the pattern the request matched
 * (`/v1/sessions/:id`), never the URL itself; an unmatched URL is `unmatched`, so a scan of random
 * paths adds no series. When the process traces, each request is a server span, active while its
 * handler runs: the workflow it starts (and everything under it) is part of its trace.
 */

const knownMethods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'];
const tracer = trace.getTracer('sprint-serve');
const spans = new WeakMap<FastifyRequest, Span>();

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export function recordHttpMetrics(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = routeOf(request);
    const method = knownMethods.includes(request.method) ? request.method : 'other';
    const started = performance.now();
    const span = tracer.startSpan(`${method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'http.route': route },
    });
    spans.set(request, span);
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      httpMetrics.requests.inc({ route, method, status: httpStatusLabel(status) });
      httpMetrics.seconds.observe({ route, method }, (performance.now() - started) / 1000);
      if (status === 429) httpMetrics.throttled.inc({ route });
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
  });
  // Each handler runs inside its request's span (hooks cannot hold a context across the handler).
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: unknown, request, reply) {
      const span = spans.get(request);
      if (!span) return handler.call(this as never, request, reply);
      return context.with(trace.setSpan(context.active(), span), () =>
        handler.call(this as never, request, reply),
      );
    };
  });
}
