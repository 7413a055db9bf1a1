import {
  callPriority,
  runPriority,
  type CallPriority,
  type RunOrigin,
  type RunPriority,
} from '../core/priority/mapping';
import type { SprintConfig } from './schema';

/*
 * What a command adds to the run it starts (docs/priority.md): the run's priority in the workflow
 * input, which every model call's Temporal Priority follows from, and the same priority on the
 * workflow itself, so its own workflow tasks (and children that do not override it) follow too.
 */
export interface RunPriorityParts {
  /** Spread into the workflow input. */
  input: { priority?: RunPriority };
  /** Spread into the workflow start options. */
  start: { priority?: CallPriority };
}

export function runPriorityParts(config: SprintConfig, origin: RunOrigin): RunPriorityParts {
  const run = runPriority(config.priority, origin);
  if (!run) return { input: {}, start: {} };
  return { input: { priority: run }, start: { priority: callPriority(run, 'primary')! } };
}
