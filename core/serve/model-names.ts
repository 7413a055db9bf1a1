import type { MethodName } from '../method-result';
import { METHODS } from './request-schema';

/*
 * Model names `sprint serve` offers: the method is part of the name, so clients that only let one
 * pick a model (Open WebUI, lm-eval-harness) can still choose it. `<pool>` is a SPRINT session on
 * that pool, `<pool>-sequential|-sot|-sc` the baselines; `sprint`, `sprint-sequential`, ... use the
 * configured planner pool.
 */

export interface ServedModel {
  id: string;
  method: MethodName;
  pool: string;
}

const SUFFIX: Record<MethodName, string> = { sprint: '', sequential: '-sequential', sot: '-sot', sc: '-sc' };
export const DEFAULT_MODEL_PREFIX = 'sprint';

/** Every name, in a stable order: the default pool's `sprint*` aliases first, then per pool. */
export function servedModels(pools: readonly string[], defaultPool: string): ServedModel[] {
  const out: ServedModel[] = [];
  const seen = new Set<string>();
  const add = (prefix: string, pool: string) => {
    for (const method of METHODS) {
      const id = `${prefix}${SUFFIX[method]}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ id, method, pool });
    }
  };
  add(DEFAULT_MODEL_PREFIX, defaultPool);
  for (const pool of pools) add(pool, pool);
  return out;
}

export type ModelChoice = { ok: true; method: MethodName; pool: string } | { ok: false; error: string };

/**
 * The method and pool of a request: by model name, with `sprint_method` (when given) overriding
 * the method the name implies.
 */
export function chooseModel(
  models: readonly ServedModel[],
  name: string,
  explicitMethod?: MethodName,
): ModelChoice {
  const found = models.find((m) => m.id === name);
  if (!found) {
    const known = models.map((m) => m.id);
    const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ');
    return { ok: false, error: `model: unknown model "${name}" (served: ${shown})` };
  }
  return { ok: true, method: explicitMethod ?? found.method, pool: found.pool };
}
