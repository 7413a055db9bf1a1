import type { SprintConfig } from '../config/schema';
import { createArtifactActivities } from '../activities/artifacts';
import { ArtifactStore } from '../io/artifacts';
import { createLlmActivities, resolveEndpoint } from '../activities/llm';
import { ModelClient } from '../io/model-client';
import { createProbeActivities } from '../activities/probe';
import { createPipelineActivities } from '../activities/pipeline';
import { createCurationActivities } from '../activities/curation';
import { createPublishActivities } from '../activities/publish';
import { createTrainingActivities } from '../activities/training';
import { createEvaluationActivities } from '../activities/evaluation';
import { createSprintActivities } from '../activities/sprint';
import { createSessionTextActivities } from '../activities/session-texts';
import type { Client } from '@temporalio/client';
import { connectClient } from './connection';

/*
 * The activities each worker role registers. Dependencies (store, clients, secrets from this
 * process's environment) are resolved here, once per worker, and injected into the factories.
 */

export function controlActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return {
    ...createProbeActivities('control'),
    ...createArtifactActivities(store),
    ...createSessionTextActivities(store),
    ...createEvaluationActivities({ config, store }),
    ...createPipelineActivities(),
  };
}

export function curationActivities(config: SprintConfig, env = process.env) {
  const store = new ArtifactStore(config.artifacts.root);
  // Extraction calls go straight to the first replica of the extractor/dag pools (built lazily, so
  // an offline-only worker needs no endpoint or key).
  const lazyClient = (role: 'extractor' | 'dag') => {
    let client: ModelClient | undefined;
    return () => {
      if (!client) {
        const pool = config.models.roles[role];
        const replica = config.models.pools[pool]?.replicas[0]?.name;
        if (!replica) throw new Error(`models.roles.${role} names pool "${pool}", which is not configured`);
        client = new ModelClient(resolveEndpoint(config, pool, replica, env));
      }
      return client;
    };
  };
  const tokenEnv = config.hub.tokenEnv;
  return {
    ...createProbeActivities('curation'),
    ...createArtifactActivities(store),
    ...createCurationActivities({
      store,
      stepsClient: lazyClient('extractor'),
      dagClient: lazyClient('dag'),
      stepsPricing: config.models.pools[config.models.roles.extractor]?.pricing,
      dagPricing: config.models.pools[config.models.roles.dag]?.pricing,
      hub: {
        endpoint: config.hub.endpoint,
        private: config.hub.private,
        localMirror: config.hub.localMirror,
        ...(env[tokenEnv] ? { token: env[tokenEnv] } : {}),
      },
    }),
  };
}

export function trainingActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return {
    ...createProbeActivities('training'),
    ...createArtifactActivities(store),
    ...createTrainingActivities({ training: config.training, hubTokenEnv: config.hub.tokenEnv }),
    ...createPublishActivities({ hub: config.hub }),
  };
}

export function llmActivities(config: SprintConfig, pool: string, replica: string, env = process.env) {
  const client = new ModelClient(resolveEndpoint(config, pool, replica, env));
  // Streaming dispatch signals the session workflow from the planner activity: one lazily made
  // Temporal client per worker process, on the worker's own connection settings.
  let signalClient: Promise<Client> | undefined;
  const getSignalClient = () => (signalClient ??= connectClient(config));
  return {
    ...createProbeActivities(`llm:${pool}/${replica}`),
    ...createLlmActivities({ client, pool, replica }),
    ...createSprintActivities({
      client,
      pool,
      replica,
      signalClient: getSignalClient,
      // The store long sessions pass texts through (a shared volume when workers are on other machines).
      store: new ArtifactStore(config.artifacts.root),
    }),
  };
}
