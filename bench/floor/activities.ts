import { setTimeout as sleep } from 'node:timers/promises';

/** A call of the floor workflow, timed where a model engine would time it. */
export interface FloorCall {
  kind: 'plan' | 'execute';
  startedAt: number;
  endedAt: number;
}

/** Two activity types, as a session has (sprintPlan, sprintExecute), so its history reads the same way. */
export interface FloorActivities {
  floorPlan(ms: number): Promise<FloorCall>;
  floorExecute(ms: number): Promise<FloorCall>;
}

async function waitAs(kind: FloorCall['kind'], ms: number): Promise<FloorCall> {
  const startedAt = Date.now();
  await sleep(ms);
  return { kind, startedAt, endedAt: Date.now() };
}

export const floorActivities: FloorActivities = {
  floorPlan: (ms) => waitAs('plan', ms),
  floorExecute: (ms) => waitAs('execute', ms),
};

export const FLOOR_ACTIVITY_NAMES = { plan: 'floorPlan', execute: 'floorExecute' } as const;
