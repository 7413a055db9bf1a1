import { inStartOrder, type TimedCall } from '../../core/session/call-gaps';
import type { FloorInput } from './workflow';

/**
 * The floor workflow's input with the shape and durations of a session's model calls (as the
 * engine saw them): each planner call, then the executors it started, and the final planner call.
 */
export function floorShape(calls: readonly TimedCall[], callQueue: string): FloorInput {
  const rounds: FloorInput['rounds'] = [];
  let plan: number | undefined;
  let executeMs: number[] = [];
  for (const c of inStartOrder(calls)) {
    const ms = c.endedAt - c.startedAt;
    if (c.kind === 'execute') {
      if (plan === undefined) throw new Error('an executor call came before any planner call');
      executeMs.push(ms);
      continue;
    }
    if (plan !== undefined) rounds.push({ planMs: plan, executeMs });
    plan = ms;
    executeMs = [];
  }
  if (plan === undefined) throw new Error('a session without a planner call');
  if (executeMs.length) throw new Error('the last planner call wrote prompts: not a finished session');
  return { rounds, finalMs: plan, callQueue };
}
