import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';

/** GET /health: for load balancers and probes; needs no key and tells nothing but the load. */
export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/health', async () => ({ status: 'ok', sessions: ctx.limit.inUse }));
}
