import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpStatusLabel } from '../core/telemetry/labels';
import { httpMetrics } from '../io/telemetry/metrics';

/**
 * Counts every answered request by route, method and status, and times it (a streamed answer until
 * its last byte). The route is the pattern the request matched (`/v1/sessions/:id`), never the URL
 * itself; an unmatched URL is `unmatched`, so a scan of random paths adds no series.
 */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

const knownMethods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'];

export function recordHttpMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const method = knownMethods.includes(request.method) ? request.method : 'other';
    const status = reply.statusCode;
    httpMetrics.requests.inc({ route, method, status: httpStatusLabel(status) });
    httpMetrics.seconds.observe({ route, method }, reply.elapsedTime / 1000);
    if (status === 429) httpMetrics.throttled.inc({ route });
  });
}
