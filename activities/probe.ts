import * as os from 'node:os';
import { Context } from '@temporalio/activity';

export interface ProbeReply {
  role: string;
  taskQueue: string;
  identity: string;
  at: string;
}

/** A health probe every worker registers: proves a queue has a live worker that runs activities. */
export function createProbeActivities(role: string) {
  return {
    async probe(): Promise<ProbeReply> {
      const info = Context.current().info;
      return {
        role,
        taskQueue: info.taskQueue,
        identity: `${os.hostname()}:${process.pid}`,
        at: new Date().toISOString(),
      };
    },
  };
}

export type ProbeActivities = ReturnType<typeof createProbeActivities>;
