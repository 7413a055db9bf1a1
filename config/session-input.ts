import type { SprintConfig } from './schema';
import type { SessionSettingsInput } from './schema/session';
import { poolRoute, type PoolRoute } from './queues';

/** Plain, secret-free workflow input of a session (or the sequential baseline) from the resolved config. */
export interface SessionRunInput {
  question: string;
  pool: string;
  settings: SessionSettingsInput;
  routing: { planner: PoolRoute; executor: PoolRoute };
}

/**
 * Resolves what `sessionWorkflow` / `sequentialWorkflow` need from the config: the session settings
 * and the queue names of the planner and executor pools (roles `planner`/`executor`, or the given
 * pools). No URLs, no keys: workers resolve those from their own config and environment.
 */
export function sessionRunInput(
  config: SprintConfig,
  question: string,
  opts: { plannerPool?: string; executorPool?: string; settings?: SessionSettingsInput } = {},
): SessionRunInput {
  const plannerPool = opts.plannerPool ?? config.models.roles.planner;
  const executorPool = opts.executorPool ?? config.models.roles.executor;
  return {
    question,
    pool: plannerPool,
    settings: { ...config.session, ...(opts.settings ?? {}) },
    routing: { planner: poolRoute(config, plannerPool), executor: poolRoute(config, executorPool) },
  };
}
