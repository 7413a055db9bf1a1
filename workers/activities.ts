import type { SprintConfig } from '../config/schema';
import { ArtifactStore, createArtifactActivities } from '../activities/artifacts';
import { createLlmActivities, resolveEndpoint } from '../activities/llm';
import { ModelClient } from '../activities/model-client';
import { createProbeActivities } from '../activities/probe';
import { createPublishActivities } from '../activities/publish';
import { createTrainingActivities } from '../activities/training';

/*
 * The activities each worker role registers. Dependencies (store, clients, secrets from this
 * process's environment) are resolved here, once per worker, and injected into the factories.
 */

export function controlActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return { ...createProbeActivities('control'), ...createArtifactActivities(store) };
}

export function curationActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return { ...createProbeActivities('curation'), ...createArtifactActivities(store) };
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
  return {
    ...createProbeActivities(`llm:${pool}/${replica}`),
    ...createLlmActivities({ client, pool, replica }),
  };
}
