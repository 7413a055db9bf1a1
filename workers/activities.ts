import type { SprintConfig } from '../config/schema';
import { ArtifactStore, createArtifactActivities } from '../activities/artifacts';
import { createLlmActivities, resolveEndpoint } from '../activities/llm';
import { ModelClient } from '../activities/model-client';
import { createProbeActivities } from '../activities/probe';
import { createEvaluationActivities } from '../activities/evaluation/activities';
import { createSprintActivities } from '../activities/sprint';
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
    ...createEvaluationActivities({ config, store }),
  };
}

export function curationActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return { ...createProbeActivities('curation'), ...createArtifactActivities(store) };
}

export function trainingActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return { ...createProbeActivities('training'), ...createArtifactActivities(store) };
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
    ...createSprintActivities({ client, pool, replica, signalClient: getSignalClient }),
  };
}
