import { freePort } from '../../infra/temporal/dev-server';
import { ModelClient } from '../../io/model-client';
import { networkErrorMessage } from '../../io/network-error';

/** A loopback port with nothing listening (bound, then released). */
const closedPort = freePort;

describe('networkErrorMessage', () => {
  it("adds the reason Node's fetch keeps in its cause", async () => {
    const port = await closedPort();
    const err = await fetch(`http://127.0.0.1:${port}/v1/models`).catch((e: unknown) => e);
    expect((err as Error).message).toBe('fetch failed');
    expect(networkErrorMessage(err)).toBe(`fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('names a cause that has only a code, and leaves a message without a cause as it is', () => {
    const coded = new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } });
    expect(networkErrorMessage(coded)).toBe('fetch failed (UND_ERR_SOCKET)');
    expect(networkErrorMessage(new Error('Repository not found'))).toBe('Repository not found');
    expect(networkErrorMessage('down')).toBe('down');
  });

  it('reaches the engine client: an engine that is not listening is named with the refusal', async () => {
    const port = await closedPort();
    const client = new ModelClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      engine: 'vllm',
      timeoutMs: 5_000,
    });
    const err = (await client.complete({ prompt: 'p', maxTokens: 1 }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `cannot reach the engine at http://127.0.0.1:${port}/v1: Connection error. (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });
});
