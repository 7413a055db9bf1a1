import { Client, Connection } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import { probeWorkflow } from '../../workflows';
import { testConfig } from '../helpers/config';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { startWorkers } from '../helpers/workers';
import { controlQueue } from '../../config/queues';

describe('the dev server restarted on the same SQLite file', () => {
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps a running workflow alive and lets it finish', async () => {
    server = await startTestServer();
    const { dbFile, port } = server;
    const config: SprintConfig = testConfig(server.address);
    let connection = await Connection.connect({ address: server.address });
    let client = new Client({ connection });
    const workflowId = `restart-${Date.now()}`;
    // A durable 4 s timer, then a probe of the control queue.
    await client.workflow.start(probeWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [{ queues: [controlQueue(config)], delayMs: 4000 }],
    });
    const workers = await startWorkers(config, 'control');
    await new Promise((r) => setTimeout(r, 1000));
    await workers.stop();
    await connection.close();
    await server.stop();

    server = await startTestServer({ dbFile, port });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    const again = await startWorkers(config, 'control');
    try {
      const outcomes = (await client.workflow.getHandle(workflowId).result()) as unknown;
      expect(outcomes).toEqual([expect.objectContaining({ queue: controlQueue(config), ok: true })]);
    } finally {
      await again.stop();
      await connection.close();
    }
  });
});
