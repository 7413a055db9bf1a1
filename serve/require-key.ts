import type { FastifyInstance } from 'fastify';
import type { ApiKeyCheck } from './auth';
import { sendError } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without an API key (the allow-list: health only). */
    allowWithoutKey?: boolean;
  }
}

/** Route options of a route on the allow-list. */
export const WITHOUT_KEY = { config: { allowWithoutKey: true } } as const;

/*
 * Deny by default: when keys are configured, every request needs `Authorization: Bearer <key>`
 * unless the route it matched is on the allow-list. The decision is on the route the router matched
 * (Fastify runs onRequest hooks after routing), not on the raw URL: a path the router decodes or
 * that matches nothing (`/%761/models`, `//v1/models`, `/V1/models`) is refused like any other.
 */
export function requireApiKey(app: FastifyInstance, auth: ApiKeyCheck): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!auth.enabled || request.routeOptions.config?.allowWithoutKey === true) return;
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
