/**
 * Records the histories the determinism guard replays (test/unit/replay-histories.test.ts).
 *
 *   npm run histories:record [-- OUT_DIR]      (default test/histories/current)
 *
 * Runs each workflow type for real on a throwaway dev server, with the loopback engine double for
 * model calls and the real tiny trainer (.venv) for training: a streaming SPRINT session that
 * fails over from a replica without a worker to the pool's shared queue, an offline curation, an
 * evaluation (SPRINT method: session children) and a pipeline (training and publish children).
 * Then every closed workflow's history is written as `<workflowType>--<workflowId>.json` (the SDK's
 * History in protobuf object form, see history-file.ts), at most three per type to keep the repository small.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { controlQueue, curationQueue, poolRoute, sessionRunInput, trainingQueue } from '../../config';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { curationWorkflow, evaluationWorkflow, pipelineWorkflow, sessionWorkflow } from '../../workflows';
import { initialRoute } from '../../workflows/routing';
import { testConfig } from './config';
import { writeHistoryFile } from './history-file';
import { writeSumProblems } from './eval-scripts';
import { LoopbackModelServer } from './loopback-model-server';
import { writeSftDataset } from './sft-dataset';
import { sprintScript, threeRoundScenario } from './sprint-script';
import { startTestServer } from './temporal-server';
import { startWorkers } from './workers';

/** Enough for the standalone session and the evaluation's two session children. */
const perType = 3;

async function main(outDir: string): Promise<void> {
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  engine.setScript(sprintScript(threeRoundScenario()));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-histories-'));
  const config = testConfig(server.address, {
    models: {
      pools: {
        main: {
          model: 'loopback-model',
          engine: 'vllm',
          // Replica a never gets a worker: sessions routed there fail over to the shared queue.
          replicas: [
            { name: 'a', baseUrl: engine.baseUrl },
            { name: 'b', baseUrl: engine.baseUrl },
          ],
        },
      },
      roles: { planner: 'main', executor: 'main', extractor: 'main', dag: 'main' },
    },
    session: { streamingDispatch: true, stickyScheduleToStartMs: 1000, retry: { initialIntervalMs: 100 } },
    training: { runsDir: path.join(tmp, 'runs'), pollIntervalMs: 2000, progressIntervalMs: 0 },
    hub: { tokenEnv: 'SPRINT_TEST_NO_SUCH_TOKEN', localMirror: path.join(tmp, 'mirror') },
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const stops = [
    (await startWorkers(config, 'control')).stop,
    (await startWorkers(config, 'curation')).stop,
    (await startWorkers(config, 'training')).stop,
    (await startWorkers(config, 'llm', { pool: 'main', replica: 'b' })).stop,
  ];
  try {
    const route = poolRoute(config, 'main');
    let i = 0;
    while (initialRoute(route, `session-${i}`).replica !== 'a') i++;
    const session = client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `session-${i}`,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });

    const traces = path.join(tmp, 'traces.jsonl');
    fs.writeFileSync(
      traces,
      generateCountdownTraces(12, 7)
        .map((t) => JSON.stringify({ id: t.id, question: t.question, trace: t.trace, solution: t.solution }))
        .join('\n') + '\n',
    );
    const curation = client.workflow.execute(curationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: 'curation',
      args: [
        {
          source: { kind: 'file', path: traces },
          outDir: path.join(tmp, 'dataset'),
          taskQueue: curationQueue(config),
          settings: { ...config.curation },
          dataset: 'histories',
        },
      ],
    });

    const evaluation = client.workflow.execute(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: 'evaluation',
      args: [
        {
          evalId: 'histories',
          benchmark: 'math500',
          method: 'sprint',
          pool: 'main',
          model: 'loopback-model',
          dataFile: writeSumProblems(2),
          outDir: path.join(tmp, 'eval'),
          concurrency: 2,
          routing: { planner: route, executor: route },
        },
      ],
    });

    const pipeline = client.workflow.execute(pipelineWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: 'pipeline',
      args: [
        {
          pipelineId: 'pipeline',
          skip: ['curate', 'evaluate'],
          datasetDir: writeSftDataset(path.join(tmp, 'sft')),
          train: {
            taskQueue: trainingQueue(config),
            launcher: 'local',
            tiny: true,
            profile: 'cpu',
            hyperparameters: { maxSteps: 2, saveSteps: 2, learningRate: 3e-3 },
          },
          publish: { taskQueue: trainingQueue(config), repo: 'local/histories' },
        },
      ],
    });
    await Promise.all([session, curation, evaluation, pipeline]);

    fs.mkdirSync(outDir, { recursive: true });
    const written = new Map<string, number>();
    for await (const wf of client.workflow.list()) {
      const n = (written.get(wf.type) ?? 0) + 1;
      if (n > perType) continue;
      written.set(wf.type, n);
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const file = path.join(outDir, `${wf.type}--${wf.workflowId.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`);
      writeHistoryFile(file, history);
      console.log(`${file}: ${wf.workflowId} (${history.events?.length ?? 0} events)`);
    }
  } finally {
    for (const stop of stops) await stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
}

main(path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'histories', 'current'))).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
