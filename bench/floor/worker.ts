import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { llmActivityPolling } from '../../workers/tuning';
import { floorActivities } from './activities';

/** Queues of the floor workers, apart from every sprint queue. */
export const FLOOR_QUEUES = { workflow: 'bench-floor-control', calls: 'bench-floor-calls' } as const;

/**
 * The floor's two workers, as sprint's control and llm workers are set up (one process, the llm
 * worker's poller settings), on their own connection. The workflow is bundled at start.
 */
export async function startFloorWorkers(address: string, maxConcurrentCalls: number) {
  const connection = await NativeConnection.connect({ address });
  const workers = [
    await Worker.create({
      connection,
      taskQueue: FLOOR_QUEUES.workflow,
      workflowsPath: path.join(__dirname, 'workflow.ts'),
    }),
    await Worker.create({
      connection,
      taskQueue: FLOOR_QUEUES.calls,
      activities: floorActivities,
      maxConcurrentActivityTaskExecutions: maxConcurrentCalls,
      activityTaskPollerBehavior: llmActivityPolling(maxConcurrentCalls),
    }),
  ];
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    /** The workers' connection: a client on it can start a floor workflow eagerly (requestEagerStart). */
    connection,
    stop: async () => {
      for (const w of workers) w.shutdown();
      await running;
      await connection.close();
    },
  };
}
