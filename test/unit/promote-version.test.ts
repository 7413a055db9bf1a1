import type { NativeConnection } from '@temporalio/worker';
import { promoteWhenPolling } from '../../workers/versioning';

/** A connection double whose setWorkerDeploymentCurrentVersion fails with the given messages in turn. */
function connectionFailing(messages: string[]): { connection: NativeConnection; calls: () => number } {
  let calls = 0;
  const connection = {
    workflowService: {
      setWorkerDeploymentCurrentVersion: () => {
        const message = messages[calls++];
        return message === undefined ? Promise.resolve({}) : Promise.reject(new Error(message));
      },
    },
  } as unknown as NativeConnection;
  return { connection, calls: () => calls };
}

const options = {
  version: { deploymentName: 'sprint-x', buildId: 'b1' },
  useWorkerVersioning: true as const,
  defaultVersioningBehavior: 'AUTO_UPGRADE' as const,
};

describe('promoteWhenPolling', () => {
  it('retries until the server takes the version', async () => {
    const c = connectionFailing(['no poller yet', 'no poller yet']);
    await promoteWhenPolling(c.connection, 'default', options, 'me', 10_000);
    expect(c.calls()).toBe(3);
  });

  it('stops at once, quietly, when the worker closed its connection', async () => {
    const c = connectionFailing(Array<string>(100).fill('Client already closed'));
    const t0 = Date.now();
    await promoteWhenPolling(c.connection, 'default', options, 'me', 60_000);
    expect(c.calls()).toBe(1);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('reports a version the server never took by the deadline', async () => {
    const c = connectionFailing(Array<string>(100).fill('no poller yet'));
    await expect(promoteWhenPolling(c.connection, 'default', options, 'me', 200)).rejects.toThrow(
      /could not make sprint-x\/b1 the current version: no poller yet/,
    );
  });
});
