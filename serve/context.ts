import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../config';
import type { ArtifactStore } from '../io/artifacts';
import type { ServedModel } from '../core/serve/model-names';
import type { ApiKeyCheck } from './auth';
import type { ConcurrencyLimit } from './concurrency';

export type DisconnectPolicy = 'cancel' | 'continue';

export interface ServeOptions {
  /** Cancel a workflow whose client disconnected before its answer (`continue`: leave it running). */
  onDisconnect: DisconnectPolicy;
  /** Sessions followed at once; more get 429. */
  maxConcurrent: number;
  retryAfterSeconds: number;
  /** Largest request body accepted (413 beyond). */
  bodyLimitBytes: number;
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
  auth: ApiKeyCheck;
  limit: ConcurrencyLimit;
  options: ServeOptions;
}

/** Defaults of `sprint serve` (its own flags override them). */
export const defaultServeOptions: Omit<ServeOptions, 'log' | 'uiLink'> = {
  onDisconnect: 'cancel',
  maxConcurrent: 64,
  retryAfterSeconds: 5,
  bodyLimitBytes: 1024 * 1024,
  pollMs: 250,
  keepAliveMs: 15_000,
};
