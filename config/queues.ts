import type { SprintConfig } from './schema';

/*
 * The one source of task queue names. Every name carries the deployment's prefix
 * (`temporal.taskQueuePrefix`, resolved by the config loader; see config/deployment.ts), so two
 * stacks on one server never poll each other's queues. Pure string work: workflows may import it.
 */

/** The resolved prefix ("" when the config says plain names, or was built without the loader). */
export function queuePrefix(config: SprintConfig): string {
  return config.temporal.taskQueuePrefix ?? '';
}

/** Queue of the control workers: every workflow, artifact activities. */
export function controlQueue(config: SprintConfig): string {
  return queuePrefix(config) + config.taskQueues.control;
}

/** Queue of the curation workers. */
export function curationQueue(config: SprintConfig): string {
  return queuePrefix(config) + config.taskQueues.curation;
}

/** Queue of the training workers (job launch and watch, Hub upload). */
export function trainingQueue(config: SprintConfig): string {
  return queuePrefix(config) + config.taskQueues.training;
}

/** Queue of one replica's llm worker (sticky routing: a session's calls go to the replica that holds its prefix). */
export function replicaQueue(config: SprintConfig, pool: string, replica: string): string {
  const p = config.models.pools[pool];
  const r = p?.replicas.find((x) => x.name === replica);
  if (!p || !r) throw new Error(`unknown pool/replica ${pool}/${replica}`);
  return queuePrefix(config) + (r.taskQueue ?? `sprint-llm-${pool}-${replica}`);
}

/** Queue shared by every replica of a pool (any replica may take the call). */
export function poolQueue(config: SprintConfig, pool: string): string {
  return queuePrefix(config) + `sprint-llm-${pool}`;
}

/** Routing table of a pool: what workflows need to place calls, with no URLs or secrets in it. */
export interface PoolRoute {
  pool: string;
  model: string;
  sharedQueue: string;
  replicas: { name: string; taskQueue: string }[];
  /** Config fingerprint of the workers that poll these queues, for messages (config/session-input.ts fills it). */
  fingerprint?: string;
}

export function poolRoute(config: SprintConfig, pool: string): PoolRoute {
  const p = config.models.pools[pool];
  if (!p) throw new Error(`unknown pool "${pool}" (have: ${Object.keys(config.models.pools).join(', ')})`);
  return {
    pool,
    model: p.model,
    sharedQueue: poolQueue(config, pool),
    replicas: p.replicas.map((r) => ({ name: r.name, taskQueue: replicaQueue(config, pool, r.name) })),
  };
}

/**
 * Route of a pool known only by name (a run started without routing): the plain shared queue name,
 * right for a deployment with `taskQueuePrefix: ""`; everything the CLI starts passes `poolRoute`.
 */
export function sharedPoolRoute(pool: string): PoolRoute {
  return { pool, model: pool, sharedQueue: `sprint-llm-${pool}`, replicas: [] };
}
