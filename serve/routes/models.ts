import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';

/** GET /v1/models: every served name (core/serve/model-names.ts) with its method and pool. */
export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/v1/models', async () => ({
    object: 'list',
    data: ctx.models.map((m) => ({
      id: m.id,
      object: 'model',
      created: 0,
      owned_by: 'sprint',
      sprint: { method: m.method, pool: m.pool },
    })),
  }));
}
