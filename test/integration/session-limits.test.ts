import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { controlQueue, sessionRunInput, type SprintConfig } from '../../config';
import { parseTrajectory } from '../../core/format';
import type { SessionTranscript } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import { readSessionText } from '../../io/session-texts';
import { sessionWorkflow } from '../../workflows';
import { progressQuery } from '../../workflows/session';
import { testConfig } from '../helpers/config';
import { countTokens, LoopbackModelServer } from '../helpers/loopback-model-server';
import { classify } from '../helpers/sprint-script';
import { loopbackPool } from '../helpers/stack';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { startWorkers } from '../helpers/workers';

/*
 * Temporal's limits against the worst session the defaults allow (issue 15, part 5): 12 planning
 * rounds x 16 executors (`maxPromptsPerRound`), every plan and execution 8,000 tokens
 * (`maxTokensPerCall`) of ~4 characters (32 KB each), then the final answer. The loopback engine
 * answers at once, so only the payloads are under test: Temporal refuses a payload over 2 MB, a
 * gRPC message (the workflow-task completion scheduling a round's 16 executors) over 4 MB and a
 * history over 50 MB.
 *
 * Sent inline, round 2's executor inputs alone were 9.2 MB in one task completion
 * (GrpcMessageTooLarge, the run TERMINATED after 85 events). With long texts by reference
 * (core/session/payload-limits.ts) the session completes; this checks its history stays small, the
 * result's text comes stored and reads back whole, the transcript file holds every text, and the
 * progress query answers within its budget. The control case runs the same script at a size that
 * fits inline, so the script itself is proven.
 */
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
    engine.keepPrompts = false; // round 12's prompts are ~6 MB each: 192 of them would stay in memory
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
        pools: { local: loopbackPool(engine, { engine: 'vllm' }) },
      },
      session: {
        retry: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 2 },
        // One call per plan and execution: the shape under test, not the released profile's
        // resampling of over-long replies (which would triple it).
        resample: { enabled: false },
      },
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
  async function runShape(rounds: number, fanout: number, tokens: number, boundMs: number) {
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

      // The whole trajectory reads back: every round, every execution at its full length.
      const store = new ArtifactStore(config.artifacts.root);
      const text = await readSessionText(store, result.text);
      const parsed = parseTrajectory(text);
      expect(parsed.problems).toEqual([]);
      expect(parsed.rounds).toHaveLength(rounds);
      for (const [i, r] of parsed.rounds.entries()) {
        expect(r.executions).toHaveLength(fanout);
        expect(r.executions.map(countTokens)).toEqual(Array<number>(fanout).fill(tokens));
        // (the released `reorder` strategy labels every executor's own prompt p.1)
        expect(r.executions.every((e) => e.startsWith(`e${i + 1}.`))).toBe(true);
      }
      // The transcript file holds texts, never references.
      const transcript = await store.getJson<SessionTranscript>(result.transcript!);
      expect(transcript.rounds).toHaveLength(rounds + 1);
      expect(transcript.rounds.every((r) => r.executions.every((e) => typeof e === 'string'))).toBe(true);
      expect(transcript.rounds.every((r) => r.calls.every((c) => typeof c.raw === 'string'))).toBe(true);

      // Every run's history stays far from 50 MB; no event near the 2 MB payload limit.
      let runId: string | undefined = (await handle.describe()).runId;
      const runs: { bytes: number; largest: number; largestType: string }[] = [];
      while (runId) {
        const history: History = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        const sizes = (history.events ?? []).map((e) => JSON.stringify(e).length);
        const largest = Math.max(...sizes);
        const largestEvent = history.events?.[sizes.indexOf(largest)];
        runs.push({
          bytes: sizes.reduce((a, b) => a + b, 0),
          largest,
          largestType: String(largestEvent?.eventType ?? ''),
        });
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        runId = started?.continuedExecutionRunId ?? undefined;
        if (runId === '') runId = undefined;
      }
      return { runs, query: await progressSizes(handle) };
    } finally {
      clearTimeout(timer);
      await handle.terminate('test over').catch(() => undefined);
    }
  }

  type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

  /** What the progress query answers for a finished session, asked from the first round. */
  async function progressSizes(handle: WorkflowHandle) {
    const p = await handle.query(progressQuery, 0);
    return { json: JSON.stringify(p).length, rounds: p.rounds.length, roundCount: p.roundCount };
  }

  it('control: the same scripted shape at a small size (2 rounds x 4 executors x 200 tokens) completes', async () => {
    await runShape(2, 4, 200, 60_000);
  });

  it(`${ROUNDS} rounds x ${FANOUT} executors x ${TOKENS}-token outputs complete`, async () => {
    const t0 = Date.now();
    const { runs, query } = await runShape(ROUNDS, FANOUT, TOKENS, 240_000);
    // The figures docs/operations.md#capacity quotes (size limits) (stderr: jest keeps it visible).
    const mb = (n: number) => (n / 1e6).toFixed(2);
    process.stderr.write(
      `worst case: ${Date.now() - t0} ms; history per run ${runs.map((r) => `${mb(r.bytes)} MB (largest event ${mb(r.largest)} MB, ${r.largestType})`).join(', ')}; ` +
        `progress from round 0: ${query.rounds} of ${query.roundCount} rounds, ${mb(query.json)} MB\n`,
    );
    // continue-as-new after 8 rounds (the default): two runs, each history a few MB at most
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      expect(r.bytes).toBeLessThan(12 * 1024 * 1024);
      expect(r.largest).toBeLessThan(1024 * 1024);
    }
    // The query answers a budget's worth of rounds (400K characters) and says how many there are.
    expect(query.roundCount).toBe(ROUNDS + 1);
    expect(query.rounds).toBeGreaterThan(0);
    expect(query.json).toBeLessThan(1024 * 1024);
  }, 300_000);
});
