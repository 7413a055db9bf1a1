import type { SprintConfig } from '../../config/schema';
import { createArtifactActivities } from '../../activities/artifacts';
import { createCurationActivities } from '../../activities/curation';
import { resolveEndpoint } from '../../activities/llm';
import { createProbeActivities } from '../../activities/probe';
import { ArtifactStore } from '../../io/artifacts';
import { ModelClient } from '../../io/model-client';

/** The curation worker's activities: extraction, DAG building, dataset writing and upload. */
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
