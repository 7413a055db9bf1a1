import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { SprintConfig } from '../config';
import type { MethodRunResult } from '../core/method-result';
import { ArtifactStore } from '../io/artifacts';
import { readResultText } from '../io/session-texts';
import { servedModels } from '../core/serve/model-names';
import { errorBody, usageOf } from '../core/serve/responses';
import { ApiKeyCheck } from './auth';
import { ConcurrencyLimit } from './concurrency';
import type { ServeContext, ServeOptions } from './context';
export { defaultServeOptions } from './context';
import { generationHandler, WORKFLOW_ID_HEADER } from './generate';
import { startedFor } from './runs';

/*
 * `sprint serve`: an OpenAI-compatible HTTP front of durable method workflows. Fastify (maintained,
 * fast, body limits and content-type parsing built in) carries the HTTP; everything about a request
 * is in generate.ts, the shapes in core/serve/.
 */

export interface ServeAppInput {
  client: Client;
  config: SprintConfig;
  /** Bearer keys; empty only with `allowNoAuth`. */
  apiKeys: readonly string[];
  allowNoAuth?: boolean;
  options: ServeOptions;
}

export function buildServeApp(input: ServeAppInput): FastifyInstance {
  const auth = new ApiKeyCheck(input.apiKeys);
  if (!auth.enabled && !input.allowNoAuth) {
    throw new Error(
      'no API keys: set SPRINT_API_KEYS or give a key file (or explicitly allow no authentication)',
    );
  }
  const { config } = input;
  const ctx: ServeContext = {
    client: input.client,
    config,
    store: new ArtifactStore(config.artifacts.root),
    models: servedModels(Object.keys(config.models.pools), config.models.roles.planner),
    auth,
    limit: new ConcurrencyLimit(input.options.maxConcurrent),
    options: input.options,
  };
  // Fastify's own logger stays off: request lines go through options.log, which never sees headers.
  const app = Fastify({ logger: false, bodyLimit: input.options.bodyLimitBytes });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(
          errorBody(
            `body: larger than the limit of ${input.options.bodyLimitBytes} bytes`,
            'invalid_request_error',
          ),
        );
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody('body: send application/json', 'invalid_request_error'));
    }
    if (err.statusCode !== undefined && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(`body: ${err.message}`, 'invalid_request_error'));
    }
    input.options.log(`internal error: ${err.stack ?? err.message}`);
    return reply.code(500).send(errorBody(`internal error: ${err.message}`, 'server_error'));
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/') || !auth.enabled) return;
    if (!auth.allows(request.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('missing or invalid API key (Authorization: Bearer <key>)', 'invalid_api_key'));
    }
  });

  app.get('/health', async () => ({ status: 'ok', sessions: ctx.limit.inUse }));

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

  app.post('/v1/chat/completions', generationHandler(ctx, 'chat'));
  app.post('/v1/completions', generationHandler(ctx, 'completion'));

  // A session started here for this API key, by id: its result once finished, its state while not.
  // Another key's session is answered as missing, so an id does not tell whether it exists.
  app.get<{ Params: { id: string } }>('/v1/sessions/:id', async (request, reply) => {
    const id = request.params.id;
    const notFound = () =>
      reply
        .code(404)
        .send(errorBody(`no session "${id}" started by this service for this API key`, 'not_found', 'id'));
    if (!startedFor(id, auth.callerOf(request.headers.authorization))) return notFound();
    const handle = input.client.workflow.getHandle(id);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return notFound();
      throw err;
    }
    reply.header(WORKFLOW_ID_HEADER, id);
    if (status !== 'COMPLETED') return { id, object: 'sprint.session', status: status.toLowerCase() };
    const result = await readResultText(ctx.store, (await handle.result()) as MethodRunResult);
    return { id, object: 'sprint.session', status: 'completed', result, usage: usageOf(result.tokens) };
  });

  return app;
}
