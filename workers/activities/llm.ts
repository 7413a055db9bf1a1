import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../../config/schema';
import { createLlmActivities, resolveEndpoint } from '../../activities/llm';
import { engineOrderFor } from '../../activities/engine-priority';
import { createProbeActivities } from '../../activities/probe';
import { createSprintActivities } from '../../activities/sprint';
import { ArtifactStore } from '../../io/artifacts';
import { ModelClient } from '../../io/model-client';
import { engineFetch, tracesEngineCalls } from '../../activities/telemetry/engine-fetch';
import { connectClient } from '../connection';

/** One pool replica's activities: planner/executor calls against its engine. */
export function llmActivities(config: SprintConfig, pool: string, replica: string, env = process.env) {
  // Unstreamed completions go straight to the engine unless each call gets a client span (traced
  // processes): without spans the telemetry fetch passes them through untouched anyway.
  const client = new ModelClient(
    resolveEndpoint(config, pool, replica, env),
    engineFetch({ pool, replica }),
    {
      directCompletions: !tracesEngineCalls(),
    },
  );
  const enginePriority = engineOrderFor(config, pool);
  // Streaming dispatch signals the session workflow from the planner activity: one lazily made
  // Temporal client per worker process, on the worker's own connection settings.
  let signalClient: Promise<Client> | undefined;
  const getSignalClient = () => (signalClient ??= connectClient(config));
  return {
    ...createProbeActivities(`llm:${pool}/${replica}`),
    ...createLlmActivities({ client, pool, replica, enginePriority }),
    ...createSprintActivities({
      client,
      pool,
      replica,
      signalClient: getSignalClient,
      enginePriority,
      // The store long sessions pass texts through (a shared volume when workers are on other machines).
      store: new ArtifactStore(config.artifacts.root),
    }),
  };
}
