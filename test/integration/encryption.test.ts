import { randomBytes } from 'node:crypto';
import { sessionRunInput } from '../../config';
import { controlQueue } from '../../config/queues';
import { questionRunSummary } from '../../core/run-summary';
import { encryptionEnabled, runCodecRequest, payloadCodecs } from '../../io/codec';
import { connectClient } from '../../workers/connection';
import { sessionWorkflow } from '../../workflows';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';

/*
 * Payload encryption on a real server: a session run by workers and a client that hold the keys
 * leaves no plaintext of its question anywhere in the stored history, and the codec (what the Web UI
 * calls through the codec endpoint) opens it again.
 */
const keysEnv = `SPRINT_TEST_KEYS_${randomBytes(3).toString('hex')}`;
process.env[keysEnv] = `test1=${randomBytes(32).toString('base64')}`;
const question = 'How many primes lie between 1729 and 1800 (a question only this test asks)?';
const needle = 'only this test asks';

/** The text of every payload in a history (data and metadata values), as stored. */
const bytesOf = (v: unknown): Buffer =>
  typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v as Uint8Array);

function storedPayloadTexts(history: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    const o = node as Record<string, unknown>;
    if ('metadata' in o && typeof o.metadata === 'object' && o.metadata !== null) {
      const meta = Object.values(o.metadata as Record<string, unknown>).map((v) => bytesOf(v).toString());
      texts.push([...meta, o.data === undefined ? '' : bytesOf(o.data).toString('latin1')].join(' '));
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(history);
  return texts;
}

describe('conversations encrypted in history', () => {
  let stack: TestStack | undefined;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        temporal: { encryption: { keysEnv } },
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        session: { profile: 'platform' },
      }),
      workers: ['all'],
    });
  });
  afterAll(async () => {
    await stack?.close();
    delete process.env[keysEnv];
  });

  it('stores the question only as ciphertext, and the codec opens it', async () => {
    const { config, engine, client: rawClient } = stack!;
    expect(encryptionEnabled(config)).toBe(true);
    engine.setScript(sprintScript(threeRoundScenario()));
    const client = await connectClient(config);
    try {
      const handle = await client.workflow.start(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `encrypted-${Date.now()}`,
        args: [sessionRunInput(config, question)],
        staticSummary: questionRunSummary('SPRINT session', question, encryptionEnabled(config)),
      });
      const result = await handle.result();
      expect(result.finalAnswer).toBe(threeRoundScenario().final);
      // The engine saw the question: encryption is only at rest in Temporal.
      expect(engine.requests.some((r) => r.prompt.includes(needle))).toBe(true);

      // The raw history, as a client without the keys (or the server's database) sees it: every
      // payload's data and metadata decoded from base64 and searched for the question.
      const raw = await rawClient.workflow.getHandle(handle.workflowId).fetchHistory();
      const stored = storedPayloadTexts(raw);
      expect(stored.length).toBeGreaterThan(20);
      expect(stored.filter((t) => t.includes(needle))).toEqual([]);
      const input = raw.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      expect(bytesOf(input.metadata!.encoding).toString()).toBe('binary/encrypted');

      // The UI list's summary names no question.
      const described = await rawClient.workflow.getHandle(handle.workflowId).describe();
      expect(JSON.stringify(described.raw.executionConfig ?? {})).not.toContain(needle);

      // The codec endpoint's path: the first event's input, decoded by the protocol handler.
      const started = input;
      const asJson = {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(started.metadata ?? {}).map(([k, v]) => [k, bytesOf(v).toString('base64')]),
            ),
            data: bytesOf(started.data).toString('base64'),
          },
        ],
      };
      const decoded = await runCodecRequest(payloadCodecs(config), 'decode', asJson);
      expect(Buffer.from(decoded.payloads[0]!.data!, 'base64').toString()).toContain(needle);
    } finally {
      await client.connection.close();
    }
  });
});
