import { Context } from '@temporalio/activity';
import type { SprintConfig } from '../config/schema';
import { enginePriority, type EngineOrder } from '../core/priority/mapping';

/*
 * Forwarding a call's priority to its engine (config priority.engines, off by default): the
 * activity's own Temporal priority key, as the server handed it the task, becomes the request's
 * `priority` field, so an engine with priority scheduling serves urgent calls first from its own
 * queue too (docs/priority.md).
 */

/** How the pool's engine orders by priority, or undefined when the pool is not told priorities. */
export function engineOrderFor(config: SprintConfig, pool: string): EngineOrder | undefined {
  const forward = config.priority.engines[pool];
  if (!forward || !config.priority.enabled) return undefined;
  const engine = config.models.pools[pool]?.engine;
  // vLLM runs lower values first; SGLang higher ones unless started with --schedule-low-priority-values-first.
  return { levels: config.priority.levels, lowValuesFirst: forward.lowValuesFirst ?? engine !== 'sglang' };
}

/** The request field for the running activity: `{ priority }`, or nothing when not forwarding. */
export function enginePriorityField(order: EngineOrder | undefined): { priority?: number } {
  if (!order) return {};
  // A call without a key takes Temporal's default, the middle level, at the engine too.
  const key = Context.current().info.priority?.priorityKey || Math.ceil((order.levels + 1) / 2);
  return { priority: enginePriority(key, order) };
}
