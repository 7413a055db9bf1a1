import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config';
import { ApiKeyCheck } from '../../serve/auth';
import { startRun } from '../../serve/runs';

/*
 * What `sprint serve` puts into a run it starts: the priority of the caller's API key (its class and
 * weight from priority.apiKeys, its id as fairness key), and never the key itself.
 */

const KEY = 'sk-serve-secret-0123456789';

/** A client that only records what it was asked to start. */
function recordingClient(): { client: Client; started: Record<string, unknown>[] } {
  const started: Record<string, unknown>[] = [];
  const client = {
    workflow: {
      start: (_name: string, options: Record<string, unknown>) => {
        started.push(options);
        return Promise.resolve({ workflowId: options.workflowId });
      },
    },
  } as unknown as Client;
  return { client, started };
}

describe('serve: the priority of a served run', () => {
  const caller = new ApiKeyCheck([KEY]).callerOf(`Bearer ${KEY}`);
  const keyId = caller.slice(0, 16);

  it('interactive by default, fairness by the key id; the key never enters the input or options', async () => {
    const config = parseConfig({});
    const { client, started } = recordingClient();
    await startRun(client, config, { method: 'sprint', pool: 'local', question: 'q?', caller });
    const options = started[0]!;
    const input = (options.args as { priority?: unknown }[])[0]!;
    expect(input.priority).toEqual({
      class: 'interactive',
      primaryKey: 1,
      deferredKey: 2,
      fairnessKey: `key-${keyId}`,
      fairnessWeight: 1,
    });
    expect(options.priority).toEqual({ priorityKey: 1, fairnessKey: `key-${keyId}`, fairnessWeight: 1 });
    expect(JSON.stringify(options)).not.toContain(KEY);
  });

  it("a key's entry in priority.apiKeys sets its class and weight", async () => {
    const config = parseConfig({ priority: { apiKeys: { [keyId]: { class: 'batch', fairnessWeight: 2 } } } });
    const { client, started } = recordingClient();
    await startRun(client, config, { method: 'sequential', pool: 'local', question: 'q?', caller });
    const input = (started[0]!.args as { priority?: unknown }[])[0]!;
    expect(input.priority).toMatchObject({ class: 'batch', primaryKey: 3, fairnessWeight: 2 });
  });
});
