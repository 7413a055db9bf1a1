import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SprintConfig } from '../config';
import { servedModels } from '../core/serve/model-names';
import { ArtifactStore } from '../io/artifacts';
import { ApiKeyCheck } from './auth';
import { payloadCodecs } from '../io/codec';
import { ConcurrencyLimit } from './concurrency';
import { PerKeyLimits } from './per-key-limits';
import type { ServeContext, ServeOptions } from './context';
import { installErrorHandler, newRequestId, tagRequestIds } from './errors';
import { requireApiKey } from './require-key';
import { registerRoutes } from './routes';
import { recordHttpMetrics } from './telemetry';

export { defaultServeOptions } from './context';

/*
 * `sprint serve`: an OpenAI-compatible HTTP front of durable method workflows. Fastify (maintained,
 * fast, body limits and content-type parsing built in) carries the HTTP; the routes are in
 * serve/routes/ (one module per group), a generation's steps in serve/pipeline/, the shapes in
 * core/serve/. This file only wires them.
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
  const { config, options } = input;
  const ctx: ServeContext = {
    client: input.client,
    config,
    store: new ArtifactStore(config.artifacts.root),
    models: servedModels(Object.keys(config.models.pools), config.models.roles.planner),
    tokenBudgets: {
      perCall: config.session.maxTokensPerCall,
      sequential: config.session.sequentialMaxTokens,
      ...(config.serve.maxTokensCeiling !== undefined ? { serveCeiling: config.serve.maxTokensCeiling } : {}),
    },
    auth,
    limit: new ConcurrencyLimit(options.maxConcurrent),
    perKey: new PerKeyLimits(options.perKey),
    codecs: payloadCodecs(config),
    options,
  };
  // Fastify's own logger stays off: request lines go through options.log, which never sees headers.
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    // Ids are made here, never taken from a client's header (they head log lines).
    requestIdHeader: false,
    genReqId: newRequestId,
  });
  tagRequestIds(app);
  recordHttpMetrics(app);
  installErrorHandler(app, options);
  requireApiKey(app, auth);
  registerRoutes(app, ctx);
  return app;
}
