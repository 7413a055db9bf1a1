import type { FastifyInstance } from 'fastify';
import type { ApiKeyCheck } from './auth';
import { sendError } from './errors';

/** Every /v1/ route needs `Authorization: Bearer <key>` when keys are configured. */
export function requireApiKey(app: FastifyInstance, auth: ApiKeyCheck): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/') || !auth.enabled) return;
    if (!auth.allows(request.headers.authorization)) {
      return sendError(reply, {
        status: 401,
        type: 'invalid_api_key',
        message: 'missing or invalid API key (Authorization: Bearer <key>)',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
  });
}
