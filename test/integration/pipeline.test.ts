import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import { pipelineWorkflow } from '../../workflows';
import { SprintPipeline } from '../../workflows/search-attributes';
import { writeSftDataset } from '../helpers/sft-dataset';
import { startStack, type TestStack } from '../helpers/stack';
import { controlQueue, trainingQueue } from '../../config/queues';

/*
 * The pipeline workflow on the real dev server with the real trainer (tiny Qwen2, CPU): curation
 * skipped (a dataset is given), train -> publish (local mirror) with evaluation skipped; a re-run of
 * the same pipeline id reuses the finished stages instead of training again.
 */
jest.setTimeout(180_000);

describe('pipeline workflow', () => {
  let stack: TestStack | undefined;
  let config: SprintConfig;
  let client: Client;

  beforeAll(async () => {
    stack = await startStack({
      config: {
        training: {
          runsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-runs-')),
          pollIntervalMs: 300,
          progressIntervalMs: 0,
        },
        hub: {
          tokenEnv: 'SPRINT_TEST_NO_SUCH_TOKEN',
          localMirror: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-mirror-')),
        },
      },
      workers: ['all'],
    });
    ({ config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('trains and publishes as child workflows, and a re-run reuses the finished stages', async () => {
    const dataset = writeSftDataset();
    const input = {
      pipelineId: `pipe-${Date.now()}`,
      skip: ['curate' as const, 'evaluate' as const],
      datasetDir: dataset,
      train: {
        taskQueue: trainingQueue(config),
        launcher: 'local' as const,
        tiny: true,
        profile: 'cpu' as const,
        hyperparameters: { maxSteps: 4, saveSteps: 2, learningRate: 3e-3 },
      },
      publish: { taskQueue: trainingQueue(config), repo: 'local/pipe-test' },
    };
    const first = await client.workflow.execute(pipelineWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: input.pipelineId,
      args: [input],
    });
    expect(first.reused).toEqual([]);
    expect(first.training?.steps).toBe(4);
    expect(first.modelDir).toBe(first.training?.modelDir);
    expect(first.publish).toMatchObject({ target: 'local', committed: true });
    const card = fs.readFileSync(
      path.join(config.hub.localMirror, 'local', 'pipe-test', 'README.md'),
      'utf8',
    );
    expect(card).toContain('base_model: tiny-qwen2');
    expect(card).toContain('| optimizer steps | 4 |');

    // The children carry the pipeline id: one search-attribute trail across the run.
    const child = await client.workflow.getHandle(`${input.pipelineId}-train`).describe();
    expect(child.typedSearchAttributes.get(SprintPipeline)).toBe(input.pipelineId);

    // A second run of the same pipeline (new workflow id, same pipeline id) reuses both stages.
    const again = await client.workflow.execute(pipelineWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `${input.pipelineId}-again`,
      args: [input],
    });
    expect(again.reused).toEqual(['train', 'publish']);
    expect(again.training?.modelDir).toBe(first.training?.modelDir);
    const runDir = path.join(config.training.runsDir, `${input.pipelineId}-train`);
    expect(fs.readdirSync(runDir).filter((f) => f.endsWith('.pid'))).toEqual(['launch-0.pid']);
  });

  it('fails clearly when a stage has neither settings nor an input', async () => {
    const err = await client.workflow
      .execute(pipelineWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `pipe-bad-${Date.now()}`,
        args: [
          {
            pipelineId: 'bad',
            skip: ['curate', 'publish', 'evaluate'],
            train: { taskQueue: trainingQueue(config) },
          },
        ],
      })
      .catch((e: Error) => e);
    expect((err as Error & { cause?: Error }).cause?.message).toMatch(/pipeline bad: no dataset to train on/);
  });
});
