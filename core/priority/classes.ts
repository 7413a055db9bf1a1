/*
 * Priority classes of model calls (docs/priority.md): which work goes first when one GPU pool is
 * shared. Pure data and names only; the mapping to Temporal and to the engines is in mapping.ts.
 */

/** Interactive work (a person waits: `sprint serve`, `sprint ask`) goes before batch work. */
export const priorityClassNames = ['interactive', 'batch'] as const;
export type PriorityClassName = (typeof priorityClassNames)[number];

/** What starts a run; each has a class (config `priority.commands`). */
export const priorityCommands = ['serve', 'ask', 'eval', 'curate', 'pipeline'] as const;
export type PriorityCommand = (typeof priorityCommands)[number];

/**
 * The role of one model call within its run: `primary` is the planner call and the executors of the
 * current round; `speculative` an executor started from a plan still being written (streaming
 * dispatch), which may belong to a plan that gets replaced; `resampled` a second or later try of a
 * call the loop policy discarded. Speculative and resampled calls go after primary ones.
 */
export const callRoles = ['primary', 'speculative', 'resampled'] as const;
export type CallRole = (typeof callRoles)[number];

/** The Temporal priority keys of one class: lower goes first (1 is the most urgent). */
export interface ClassKeys {
  /** Planner calls and the current round's executors. */
  primaryKey: number;
  /** Speculative and resampled calls. */
  deferredKey: number;
  /** Fairness weight of this class's runs unless an API key's entry says otherwise. */
  fairnessWeight: number;
}

/** Defaults: interactive 1/2, batch 3/4 of Temporal's five levels (5 is left for work without a class). */
export const PRIORITY_DEFAULTS = {
  /** Temporal's `matching.priorityLevels`: keys run 1..levels. */
  levels: 5,
  classes: {
    interactive: { primaryKey: 1, deferredKey: 2, fairnessWeight: 1 },
    batch: { primaryKey: 3, deferredKey: 4, fairnessWeight: 1 },
  },
  commands: {
    serve: 'interactive',
    ask: 'interactive',
    eval: 'batch',
    curate: 'batch',
    pipeline: 'batch',
  },
} as const satisfies {
  levels: number;
  classes: Record<PriorityClassName, ClassKeys>;
  commands: Record<PriorityCommand, PriorityClassName>;
};

/** Temporal's limits: a fairness key is at most 64 bytes, a weight within [0.001, 1000]. */
export const FAIRNESS_KEY_MAX_BYTES = 64;
export const FAIRNESS_WEIGHT_MIN = 0.001;
export const FAIRNESS_WEIGHT_MAX = 1000;
