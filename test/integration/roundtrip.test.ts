import type { Client } from '@temporalio/client';
import { poolQueue, replicaQueue, type SprintConfig } from '../../config';
import { completionWorkflow, probeWorkflow } from '../../workflows';
import type { LoopbackModelServer } from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { controlQueue, curationQueue, trainingQueue } from '../../config/queues';

describe('workflow + activity round trip on a real dev server', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({ models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } } }),
      workers: ['all'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('probes every role queue and gets an answer from each worker', async () => {
    const queues = [
      controlQueue(config),
      curationQueue(config),
      trainingQueue(config),
      poolQueue(config, 'local'),
      replicaQueue(config, 'local', 'r0'),
    ];
    const outcomes = await client.workflow.execute(probeWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `probe-${Date.now()}`,
      args: [{ queues }],
    });
    expect(outcomes.map((o) => [o.queue, o.ok])).toEqual(queues.map((q) => [q, true]));
    expect(outcomes.map((o) => o.reply?.role)).toEqual([
      'control',
      'curation',
      'training',
      'llm:local/r0',
      'llm:local/r0',
    ]);
  });

  it('reports a queue with no worker instead of hanging', async () => {
    const outcomes = await client.workflow.execute(probeWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `probe-empty-${Date.now()}`,
      args: [{ queues: ['nobody-listens-here'], pickupTimeoutMs: 1000 }],
    });
    expect(outcomes[0]).toMatchObject({ queue: 'nobody-listens-here', ok: false });
  });

  it('retries a 500 through Temporal and returns the second answer with its usage', async () => {
    engine.enqueue(
      { status: 500, text: 'engine fell over' },
      { text: 'forty two </execution_1.1>', cachedPromptTokens: 2 },
    );
    const before = engine.requests.length;
    const result = await client.workflow.execute(completionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `complete-${Date.now()}`,
      args: [
        {
          taskQueue: poolQueue(config, 'local'),
          request: { prompt: 'what is six times seven', maxTokens: 16, stop: ['</execution_'] },
        },
      ],
    });
    expect(engine.requests.length - before).toBe(2);
    expect(result).toMatchObject({
      text: 'forty two ',
      pool: 'local',
      replica: 'r0',
      usage: { promptTokens: 5, completionTokens: 2, cachedPromptTokens: 2 },
    });
  });

  it('does not retry a final engine error (400)', async () => {
    engine.enqueue({ status: 400, text: 'context length exceeded' });
    const before = engine.requests.length;
    const run = client.workflow.execute(completionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `complete-400-${Date.now()}`,
      args: [{ taskQueue: poolQueue(config, 'local'), request: { prompt: 'too long', maxTokens: 16 } }],
    });
    await expect(run).rejects.toThrow(/Workflow execution failed/);
    expect(engine.requests.length - before).toBe(1);
  });
});
