import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';
import { WITHOUT_KEY } from '../require-key';

/** GET /health: for load balancers and probes; the one route without a key, it tells only the load. */
export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/health', WITHOUT_KEY, async () => ({ status: 'ok', sessions: ctx.limit.inUse }));
}
