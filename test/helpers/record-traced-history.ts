/**
 * Records the history of one traced SPRINT session (a tracing client starts it, so its workflow
 * runs whatever tracer the workflow code of the day runs: test/histories/traced-f6b0ff8 was
 * recorded with Temporal's OpenTelemetry workflow interceptors, test/histories/current with
 * sprint's tracer) for the determinism guard (test/unit/replay-histories.test.ts):
 *
 *   npx tsx test/helpers/record-traced-history.ts [OUT_DIR]      (default test/histories/current)
 *
 * Streaming dispatch, so the history also carries the planner's signals (traced as HandleSignal).
 * Kept apart from record-histories.ts so that the traced recording can be refreshed alone.
 */
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { controlQueue, sessionRunInput } from '../../config';
import { startTracing } from '../../io/telemetry/tracing';
import { tracingClientInterceptors } from '../../workers/telemetry/client';
import { sessionWorkflow } from '../../workflows';
import { testConfig } from './config';
import { writeHistoryFile } from './history-file';
import { LoopbackModelServer } from './loopback-model-server';
import { sprintScript, threeRoundScenario } from './sprint-script';
import { startTestServer } from './temporal-server';
import { startWorkers } from './workers';

async function main(outDir: string): Promise<void> {
  const exporter = new InMemorySpanExporter();
  // Before the workers and the client: both pick up the process's tracing when they are made.
  const tracing = startTracing({ serviceName: 'sprint-histories' }, [new SimpleSpanProcessor(exporter)]);
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  engine.setScript(sprintScript(threeRoundScenario()));
  const config = testConfig(server.address, {
    models: {
      pools: {
        local: { model: engine.model, engine: 'vllm', replicas: [{ name: 'r0', baseUrl: engine.baseUrl }] },
      },
    },
    session: { streamingDispatch: true },
  });
  const workers = await startWorkers(config, 'all');
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, ...tracingClientInterceptors() });
  try {
    const workflowId = 'traced-session';
    await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const file = path.join(outDir, `sessionWorkflow--${workflowId}.json`);
    writeHistoryFile(file, history);
    const names = new Set(exporter.getFinishedSpans().map((s) => s.name.split(':')[0]));
    console.log(`${file}: ${history.events?.length} events; spans: ${[...names].sort().join(', ')}`);
  } finally {
    await workers.stop();
    await connection.close();
    await tracing?.shutdown();
    await engine.stop();
    await server.stop();
  }
}

main(process.argv[2] ?? path.join(__dirname, '..', 'histories', 'current')).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
