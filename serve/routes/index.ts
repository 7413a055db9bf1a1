import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';
import * as chatCompletions from './chat-completions';
import * as codec from './codec';
import * as completions from './completions';
import * as health from './health';
import * as models from './models';
import * as sessions from './sessions';

/** Every route group of `sprint serve`, each registering its own routes. */
const routeGroups: readonly { register(app: FastifyInstance, ctx: ServeContext): void }[] = [
  health,
  models,
  chatCompletions,
  completions,
  sessions,
  codec,
];

export function registerRoutes(app: FastifyInstance, ctx: ServeContext): void {
  for (const group of routeGroups) group.register(app, ctx);
}
