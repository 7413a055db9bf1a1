import type { SprintConfig } from './schema';

/** Queue of one replica's llm worker (sticky routing: a session's calls go to the replica that holds its prefix). */
export function replicaQueue(config: SprintConfig, pool: string, replica: string): string {
  const p = config.models.pools[pool];
  const r = p?.replicas.find((x) => x.name === replica);
  if (!p || !r) throw new Error(`unknown pool/replica ${pool}/${replica}`);
  return r.taskQueue ?? `sprint-llm-${pool}-${replica}`;
}

/** Queue shared by every replica of a pool (any replica may take the call). */
export function poolQueue(pool: string): string {
  return `sprint-llm-${pool}`;
}

/** Routing table of a pool: what workflows need to place calls, with no URLs or secrets in it. */
export interface PoolRoute {
  pool: string;
  model: string;
  sharedQueue: string;
  replicas: { name: string; taskQueue: string }[];
}

export function poolRoute(config: SprintConfig, pool: string): PoolRoute {
  const p = config.models.pools[pool];
  if (!p) throw new Error(`unknown pool "${pool}" (have: ${Object.keys(config.models.pools).join(', ')})`);
  return {
    pool,
    model: p.model,
    sharedQueue: poolQueue(pool),
    replicas: p.replicas.map((r) => ({ name: r.name, taskQueue: replicaQueue(config, pool, r.name) })),
  };
}

/** Route of a pool known only by name: its shared queue, no replicas, the pool name as model. */
export function sharedPoolRoute(pool: string): PoolRoute {
  return { pool, model: pool, sharedQueue: poolQueue(pool), replicas: [] };
}
