import { fork } from 'node:child_process';
import * as path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { llmActivityPolling } from '../../workers/tuning';
import { floorActivities } from './activities';

/** Queues of the floor workers, apart from every sprint queue. */
export const FLOOR_QUEUES = { workflow: 'bench-floor-control', calls: 'bench-floor-calls' } as const;

/** The floor's call worker: the floor's activities behind the llm worker's poller settings. */
export function createFloorCallsWorker(
  connection: NativeConnection,
  maxConcurrentCalls: number,
): Promise<Worker> {
  return Worker.create({
    connection,
    taskQueue: FLOOR_QUEUES.calls,
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: maxConcurrentCalls,
    activityTaskPollerBehavior: llmActivityPolling(maxConcurrentCalls),
  });
}

/** Where the floor's call worker runs: beside its workflow worker, or in a process of its own. */
export type FloorCallsAt = { inProcess: true } | { inProcess: false; metricsPort: number };

/** Starts the call worker in its own process (bench/floor/calls-main.ts); resolves once it polls. */
async function startCallsProcess(address: string, maxConcurrentCalls: number, metricsPort: number) {
  const args = { address, maxConcurrentCalls, metricsPort };
  const child = fork(path.join(__dirname, 'calls-main.ts'), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`floor call worker exited (${code}) before it polled`)));
    child.once('message', () => resolve());
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.disconnect();
      await exited;
    },
  };
}

/**
 * The floor's two workers, set up as sprint's control and llm workers are in the bench (the llm
 * worker's poller settings; the call worker in its own process when the llm worker is), on their
 * own connection. The workflow is bundled at start.
 */
export async function startFloorWorkers(address: string, maxConcurrentCalls: number, calls: FloorCallsAt) {
  const connection = await NativeConnection.connect({ address });
  const workers = [
    await Worker.create({
      connection,
      taskQueue: FLOOR_QUEUES.workflow,
      workflowsPath: path.join(__dirname, 'workflow.ts'),
    }),
  ];
  if (calls.inProcess) workers.push(await createFloorCallsWorker(connection, maxConcurrentCalls));
  const callsProcess = calls.inProcess
    ? undefined
    : await startCallsProcess(address, maxConcurrentCalls, calls.metricsPort);
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    /** The workers' connection: a client on it can start a floor workflow eagerly (requestEagerStart). */
    connection,
    stop: async () => {
      await callsProcess?.stop();
      for (const w of workers) w.shutdown();
      await running;
      await connection.close();
    },
  };
}
