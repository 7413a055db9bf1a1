/*
 * The floor of the overhead bench: a workflow with a session's shape (a planner call, then all its
 * executors at once, round after round) and none of sprint's code. Its activities only wait as long
 * as the session's model calls took. What its dependent-call gaps cost is Temporal's own price on
 * this machine (server, SDK, one worker process); the rest of a session's gap is sprint's.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities, FloorCall } from './activities';

/** One round of the replayed shape: the planner call's and each executor call's duration in ms. */
export interface FloorRound {
  planMs: number;
  executeMs: number[];
}

export interface FloorInput {
  rounds: FloorRound[];
  /** The last planner call (the final answer). */
  finalMs: number;
  /** The queue of the call worker (the session's llm queue counterpart). */
  callQueue: string;
}

export async function floorSession(input: FloorInput): Promise<FloorCall[]> {
  const { floorPlan, floorExecute } = proxyActivities<FloorActivities>({
    taskQueue: input.callQueue,
    startToCloseTimeout: '10 minutes',
  });
  const calls: FloorCall[] = [];
  for (const round of input.rounds) {
    calls.push(await floorPlan(round.planMs));
    calls.push(...(await Promise.all(round.executeMs.map((ms) => floorExecute(ms)))));
  }
  calls.push(await floorPlan(input.finalMs));
  return calls;
}
