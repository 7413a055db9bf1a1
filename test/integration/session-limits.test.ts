import { Client, Connection } from '@temporalio/client';
import { controlQueue, sessionRunInput, type SprintConfig } from '../../config';
import { sessionWorkflow } from '../../workflows';
import { testConfig } from '../helpers/config';
import { countTokens, LoopbackModelServer } from '../helpers/loopback-model-server';
import { classify } from '../helpers/sprint-script';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { startWorkers } from '../helpers/workers';

/*
 * Temporal's limits against the worst session the defaults allow (issue 15, part 5): 12 planning
 * rounds x 16 executors (`maxPromptsPerRound`), every plan and execution 8,000 tokens
 * (`maxTokensPerCall`) of ~4 characters (32 KB each), then the final answer. The loopback engine
 * answers at once, so only the payloads are under test: Temporal refuses any single payload over
 * 2 MB (blob size limit) and a history over 50 MB.
 *
 * What the session does today (measured here, 2026-11-29): each executor's prompt is its activity
 * input and holds the whole history (round r: about r x 17 x 32 KB). Round 2's 16 executor inputs
 * are ~578 KB each, 9.2 MB in the one workflow-task completion that schedules them, over the 4 MB
 * gRPC message limit: the SDK fails the task (GrpcMessageTooLarge) and the run ends TERMINATED
 * after 85 events. Later rounds would also pass 2 MB per single input, and the progress query and
 * the result's `text` carry every round's text. The fix (prompts, texts and the query's rounds by
 * artifact reference past a size threshold) belongs in workflows/session, which is being
 * restructured; until it lands the worst case is `it.failing`: it asserts the session completes,
 * and jest reports it passing only while that assertion fails. Flip WORST_CASE_FITS with the fix.
 * The control case runs the same script at a size that fits, so the script itself is proven.
 */
const WORST_CASE_FITS = false;

const ROUNDS = 12;
const FANOUT = 16;
const TOKENS = 8000;
/** 8,000 whitespace-separated tokens of 3 letters: 32,000 characters, as the double counts them. */
const filler = (tag: string, tokens: number) => `${tag} ${'abc '.repeat(tokens - 1)}`.trimEnd();
let shape = { rounds: ROUNDS, fanout: FANOUT, tokens: TOKENS };

describe('session payloads stay within Temporal limits in the worst case', () => {
  let server: TestServer;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let stopWorkers: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer();
    engine = await new LoopbackModelServer().start();
    engine.setScript((req) => {
      const kind = classify(req.prompt);
      if (kind.kind === 'final') return { text: 'The answer is \\boxed{42}.\n</Final_answer>' };
      if (kind.kind === 'execute')
        return {
          text: `${filler(`e${kind.phase}.${kind.k}`, shape.tokens)}\n</execution_${kind.phase}.${kind.k}>`,
        };
      if (kind.phase > shape.rounds)
        return { text: '<Final_answer>\nThe answer is \\boxed{42}.\n</Final_answer>' };
      const prompts = Array.from(
        { length: shape.fanout },
        (_, i) => `<prompt_${kind.phase}.${i + 1}> Work on part ${i + 1}. </prompt_${kind.phase}.${i + 1}>`,
      );
      const planTokens = countTokens(prompts.join('\n'));
      return {
        text: `<Plan_${kind.phase}>\n${prompts.join('\n')}\n${'abc '.repeat(shape.tokens - planTokens - 1).trimEnd()}\n</Plan_${kind.phase}>`,
      };
    });
    config = testConfig(server.address, {
      models: {
        pools: {
          local: {
            model: 'loopback-model',
            engine: 'vllm',
            replicas: [{ name: 'r0', baseUrl: engine.baseUrl }],
          },
        },
      },
      session: { retry: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 2 } },
    });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    ({ stop: stopWorkers } = await startWorkers(config, 'all'));
  });

  afterAll(async () => {
    await stopWorkers?.();
    await client?.connection.close();
    await engine?.stop();
    await server?.stop();
  });

  /** Runs a session of `rounds` x `fanout` x `tokens` (bounded) and checks it completed whole. */
  async function runShape(rounds: number, fanout: number, tokens: number, boundMs: number): Promise<void> {
    shape = { rounds, fanout, tokens };
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `limits-${rounds}x${fanout}x${tokens}-${Date.now()}`,
      args: [
        sessionRunInput(config, 'The largest session the defaults allow.', {
          settings: { maxPhases: rounds + 1 },
        }),
      ],
    });
    // Bounded: however the run ends (today: TERMINATED by the server, GrpcMessageTooLarge), the test does.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not finished within ${boundMs} ms`)), boundMs);
    });
    try {
      const result = await Promise.race([handle.result(), deadline]);
      expect(result.rounds).toBe(rounds + 1);
      expect(result.promptsPerRound).toEqual([...Array<number>(rounds).fill(fanout), 0]);
      expect(result.finalAnswer).toBe('The answer is \\boxed{42}.');
      expect(result.tokens.total).toBe(
        rounds * (fanout + 1) * tokens + countTokens('The answer is \\boxed{42}.'),
      );
    } finally {
      clearTimeout(timer);
      await handle.terminate('test over').catch(() => undefined);
    }
  }

  it('control: the same scripted shape at a small size (2 rounds x 4 executors x 200 tokens) completes', async () => {
    await runShape(2, 4, 200, 60_000);
  });

  (WORST_CASE_FITS ? it : it.failing)(
    `${ROUNDS} rounds x ${FANOUT} executors x ${TOKENS}-token outputs complete`,
    async () => {
      await runShape(ROUNDS, FANOUT, TOKENS, 150_000);
    },
    200_000,
  );
});
