/*
 * The floor's call worker in a process of its own (started by bench/floor/worker.ts), as sprint's
 * llm worker runs in the bench (`sprint worker llm`, a process of its own as deployed): the floor's
 * activities then share an event loop with nothing else, as the session's model calls do. Its SDK
 * metrics are served on the port it is given, for the bench's metrics table.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { workerLogger } from '../../workers/create';
import { createFloorCallsWorker } from './worker';

interface CallsWorkerArgs {
  address: string;
  maxConcurrentCalls: number;
  metricsPort: number;
}

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench/floor/calls-main.ts runs as a child of the bench (an IPC channel)');
  const args = JSON.parse(process.argv[2] ?? '') as CallsWorkerArgs;
  Runtime.install({
    logger: workerLogger('ERROR'),
    shutdownSignals: [],
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${args.metricsPort}` } } },
  });
  const connection = await NativeConnection.connect({ address: args.address });
  const worker = await createFloorCallsWorker(connection, args.maxConcurrentCalls);
  const running = worker.run();
  // The bench going away (or closing the channel) stops the worker.
  process.on('disconnect', () => {
    worker.shutdown();
    void running.then(() => connection.close()).then(() => process.exit(0));
  });
  process.send({ kind: 'ready' });
  await running;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
