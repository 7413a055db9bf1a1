import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../config';
import { serveSchema, type ServeSettings } from '../config/schema/serve';
import type { DisconnectPolicy } from '../core/serve/defaults';
import type { ArtifactStore } from '../io/artifacts';
import type { ServedModel } from '../core/serve/model-names';
import type { TokenBudgets } from '../core/serve/token-ceiling';
import type { ApiKeyCheck } from './auth';
import type { PayloadCodec } from '@temporalio/common';
import type { ConcurrencyLimit } from './concurrency';
import type { PerKeyLimits, PerKeySettings } from './per-key-limits';

export type { DisconnectPolicy };

export interface ServeOptions {
  /** Cancel a workflow whose client disconnected before its answer (`continue`: leave it running). */
  onDisconnect: DisconnectPolicy;
  /** Sessions followed at once; more get 429. */
  maxConcurrent: number;
  /** What one API key may use (sessions at once, request rate). */
  perKey: PerKeySettings;
  retryAfterSeconds: number;
  /** Browser origins allowed to call the codec endpoint. */
  codecCorsOrigins: readonly string[];
  /** Largest request body accepted (413 beyond). */
  bodyLimitBytes: number;
  /** Time a client has to send its whole request. */
  requestTimeoutMs: number;
  /** Progress query interval while streaming a SPRINT session. */
  pollMs: number;
  /** A comment line is sent on a stream silent for this long. */
  keepAliveMs: number;
  /** Where request lines go (never keys or bodies). */
  log: (line: string) => void;
  uiLink: (workflowId: string) => string;
}

/** What the route handlers share. */
export interface ServeContext {
  client: Client;
  config: SprintConfig;
  /** The artifact store long sessions' texts are read from (config.artifacts.root). */
  store: ArtifactStore;
  models: ServedModel[];
  /** What `max_tokens` may ask at most. */
  tokenBudgets: TokenBudgets;
  auth: ApiKeyCheck;
  limit: ConcurrencyLimit;
  perKey: PerKeyLimits;
  /** The deployment's payload codecs (empty: encryption off, no codec endpoint). */
  codecs: readonly PayloadCodec[];
  options: ServeOptions;
}

type TunedOptions = Omit<ServeOptions, 'log' | 'uiLink'>;

/** The request-handling part of the `serve` config section. */
export function serveOptionsOf(settings: ServeSettings): TunedOptions {
  return {
    onDisconnect: settings.onDisconnect,
    maxConcurrent: settings.maxConcurrent,
    perKey: settings.perKey,
    retryAfterSeconds: settings.retryAfterSeconds,
    codecCorsOrigins: settings.codec.corsOrigins,
    bodyLimitBytes: settings.bodyLimitBytes,
    requestTimeoutMs: settings.requestTimeoutMs,
    pollMs: settings.pollMs,
    keepAliveMs: settings.keepAliveMs,
  };
}

/** The defaults of the `serve` config section (for embedding the app without a config file). */
export const defaultServeOptions: TunedOptions = serveOptionsOf(serveSchema.parse({}));
