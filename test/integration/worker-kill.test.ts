import type { Client } from '@temporalio/client';
import { poolQueue, type SprintConfig } from '../../config';
import { completionWorkflow } from '../../workflows';
import { writeConfigFile } from '../helpers/config';
import type { LoopbackModelServer } from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitFor, waitForOutput } from '../helpers/workers';
import { controlQueue } from '../../config/queues';

describe('a worker killed mid-activity', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({ models: { pools: { local: loopbackPool(engine) } } }),
      workers: ['control'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('is retried on a restarted worker and the workflow completes', async () => {
    // The first call hangs long (the worker dies during it); the retry answers at once.
    engine.setScript((req) =>
      req.id === 1 ? { text: 'never delivered', delayMs: 60_000 } : { text: 'the answer is 7' },
    );
    const configFile = writeConfigFile(config);
    const first = spawnWorkerProcess(configFile, 'llm');
    await waitForOutput(first, /polling/);
    const handle = await client.workflow.start(completionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `kill-${Date.now()}`,
      args: [
        {
          taskQueue: poolQueue(config, 'local'),
          request: { prompt: 'q', maxTokens: 8 },
          heartbeatTimeoutMs: 2000,
        },
      ],
    });
    await waitFor(() => engine.requests.length === 1, 30_000, 'the first model call');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const second = spawnWorkerProcess(configFile, 'llm');
    try {
      const result = await handle.result();
      expect(result.text).toBe('the answer is 7');
      expect(engine.requests).toHaveLength(2);
      const history = await handle.fetchHistory();
      const failures = history.events!.filter(
        (e) => e.activityTaskTimedOutEventAttributes || e.activityTaskFailedEventAttributes,
      );
      // One attempt is in history: the retry happened inside the activity's retry policy (heartbeat timeout).
      expect(failures).toHaveLength(0);
      const started = history.events!.find((e) => e.activityTaskStartedEventAttributes)!;
      expect(Number(started.activityTaskStartedEventAttributes!.attempt)).toBe(2);
      expect(started.activityTaskStartedEventAttributes!.lastFailure?.message).toMatch(/heartbeat/i);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });
});
