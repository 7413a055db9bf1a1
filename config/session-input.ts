import type { SprintConfig } from './schema';
import type { SessionSettingsInput } from './schema/session';
import { withSessionFiles } from './prompt-files';
import { configFingerprint } from './deployment';
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
 * (with `systemPromptFile` and `chatTemplateFile` read) and the queue names of the planner and executor pools (roles
 * `planner`/`executor`, or the given pools). No URLs, no keys: workers resolve those from their
 * own config and environment.
 */
export function sessionRunInput(
  config: SprintConfig,
  question: string,
  opts: { plannerPool?: string; executorPool?: string; settings?: SessionSettingsInput } = {},
): SessionRunInput {
  const plannerPool = opts.plannerPool ?? config.models.roles.planner;
  const executorPool = opts.executorPool ?? config.models.roles.executor;
  const merged: SessionSettingsInput = { ...config.session, ...(opts.settings ?? {}) };
  // An explicit prompt given for this run replaces a configured file (and the other way round).
  if (opts.settings?.systemPrompt !== undefined) delete merged.systemPromptFile;
  if (opts.settings?.systemPromptFile !== undefined) delete merged.systemPrompt;
  return {
    question,
    pool: plannerPool,
    settings: withSessionFiles(merged),
    routing: {
      planner: servedPoolRoute(config, plannerPool),
      executor: servedPoolRoute(config, executorPool),
    },
  };
}

/** A pool's route with the config fingerprint of its workers, which a call nobody takes names. */
export function servedPoolRoute(config: SprintConfig, pool: string): PoolRoute {
  return { ...poolRoute(config, pool), fingerprint: configFingerprint(config) };
}
