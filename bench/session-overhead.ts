/*
 * Session overhead bench: what Temporal costs a SPRINT session, and what streaming dispatch saves.
 *
 *   npx tsx bench/session-overhead.ts        (or: npm run bench)
 *
 * A real Temporal dev server and the loopback engine double with a per-token delay (5 ms/token by
 * default, about what one H200 engine gives a 7B model) play scripted SPRINT replies of realistic
 * shape (3 planning rounds + the final answer; plans ~80 tokens, executions 150-250 tokens). Per
 * configuration (executors per round 1, 4, 16) it reports:
 *   - wall-clock of a session through Temporal / the ideal (sequential tokens x per-token delay),
 *   - Temporal's overhead per round against the same loop run in-process (ModelClient + core/format,
 *     no Temporal),
 *   - the same session with streaming dispatch, against its own ideal (streaming sequential tokens).
 * Environment: BENCH_TOKEN_MS (default 5), BENCH_REPEATS (default 3; the median is reported),
 * BENCH_SCALE (length multiplier of plans and executions, default 1). One
 * warm-up session (workflow bundle, caches) runs first and is not counted.
 */
import { Client, Connection } from '@temporalio/client';
import { ModelClient } from '../io/model-client';
import { sessionRunInput } from '../config';
import { resolveSessionSettings } from '../config/schema/session';
import { accountSession, type RoundUsage } from '../core/accounting';
import {
  executorPrompt,
  parseExecutionOutput,
  parsePlan,
  plannerPrompt,
  renderSessionPrefix,
  type Round,
} from '../core/format';
import { sessionWorkflow } from '../workflows';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { sprintScript, type Scenario } from '../test/helpers/sprint-script';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';

const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 5);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const ROUNDS = 3;
/**
 * Length multiplier for plans and executions. 1 = short rounds (~250 sequential tokens per round at 4
 * executors); 2.5 = about the paper's MATH500 scale (SPRINT averaged 2,440 sequential tokens).
 */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const len = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Deterministic filler text of n whitespace tokens. */
function words(n: number, seed: number): string {
  const vocab = [
    'so',
    'the',
    'value',
    'is',
    'then',
    'we',
    'add',
    'check',
    'x',
    'equals',
    'term',
    'next',
    'gives',
    'sum',
  ];
  return Array.from({ length: n }, (_, i) => vocab[(i * 7 + seed * 13) % vocab.length]).join(' ');
}

function scenario(executors: number): Scenario {
  return {
    rounds: Array.from({ length: ROUNDS }, (_, r) => {
      const parts: (string | { prompt: string })[] = [words(len(30), r)];
      for (let k = 0; k < executors; k++)
        parts.push({ prompt: `sub-task ${r + 1}.${k + 1}: ${words(8, k)}` });
      parts.push(words(len(20), r + 1));
      return {
        parts,
        executions: Array.from({ length: executors }, (_, k) =>
          words(len(150 + ((k * 37 + r * 11) % 100)), k + r),
        ),
      };
    }),
    final: `${words(25, 3)} \\boxed{42}`,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The same loop without Temporal: planner call, then all executors at once, in this process. */
async function inProcessSession(
  client: ModelClient,
  question: string,
  settings: ReturnType<typeof sessionRunInput>['settings'],
) {
  const resolved = resolveSessionSettings(settings);
  const prefix = renderSessionPrefix(resolved.promptTemplate, resolved.systemPrompt, question);
  const rounds: Round[] = [];
  const usage: RoundUsage[] = [];
  for (let phase = 1; phase <= 12; phase++) {
    const planCall = await client.complete({
      prompt: plannerPrompt(prefix, rounds),
      maxTokens: 8000,
      temperature: 0.6,
      stop: ['</Plan_', '</Final_answer>'],
    });
    const plan = parsePlan(planCall.text, phase, { maxPrompts: 16 });
    if (plan.final !== undefined) {
      usage.push({ planner: planCall.usage, executors: [] });
      break;
    }
    const execs = await Promise.all(
      plan.prompts.map((p) =>
        client.complete({
          prompt: executorPrompt(prefix, rounds, plan, p.index, 'shared-prefix'),
          maxTokens: 8000,
          temperature: 0.6,
          stop: ['</execution_'],
        }),
      ),
    );
    rounds.push({ plan, executions: execs.map((e) => parseExecutionOutput(e.text).text) });
    usage.push({ planner: planCall.usage, executors: execs.map((e) => e.usage) });
  }
  return { rounds: usage.length, tokens: accountSession(usage) };
}

async function main(): Promise<void> {
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  const config = testConfig(server.address, {
    models: {
      pools: {
        local: {
          model: 'loopback-model',
          engine: 'vllm',
          replicas: [{ name: 'r0', baseUrl: engine.baseUrl }],
        },
      },
    },
    // The platform loop, all executors at once: the in-process loop below is its twin, so the
    // difference is Temporal's cost alone (bench/executor-strategy.ts compares the strategies).
    session: { profile: 'platform', maxConcurrentExecutors: 64 },
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { stop } = await startWorkers(config, 'all');
  const model = new ModelClient({
    baseUrl: engine.baseUrl,
    model: 'loopback-model',
    engine: 'vllm',
    timeoutMs: 600_000,
  });
  const rows: string[][] = [];
  let n = 0;
  try {
    engine.setScript(sprintScript(scenario(2), { perTokenDelayMs: 1 }));
    await client.workflow.execute(sessionWorkflow, {
      taskQueue: config.taskQueues.control,
      workflowId: `bench-warmup-${Date.now()}`,
      args: [sessionRunInput(config, 'warm-up')],
    });
    await inProcessSession(model, 'warm-up', sessionRunInput(config, 'warm-up').settings);
    for (const executors of [1, 4, 16]) {
      engine.setScript(sprintScript(scenario(executors), { perTokenDelayMs: TOKEN_MS }));
      const input = sessionRunInput(config, `bench question with ${executors} executors per round`);
      const temporal: number[] = [];
      const streaming: number[] = [];
      const local: number[] = [];
      let seq = 0;
      let seqStreaming = 0;
      let rounds = 0;
      for (let rep = 0; rep < REPEATS; rep++) {
        let t0 = Date.now();
        const result = await client.workflow.execute(sessionWorkflow, {
          taskQueue: config.taskQueues.control,
          workflowId: `bench-${executors}-${++n}-${Date.now()}`,
          args: [input],
        });
        temporal.push(Date.now() - t0);
        seq = result.tokens.sequential;
        rounds = result.rounds;

        t0 = Date.now();
        const streamed = await client.workflow.execute(sessionWorkflow, {
          taskQueue: config.taskQueues.control,
          workflowId: `bench-stream-${executors}-${++n}-${Date.now()}`,
          args: [{ ...input, settings: { ...input.settings, streamingDispatch: true } }],
        });
        streaming.push(Date.now() - t0);
        seqStreaming = streamed.tokens.sequentialStreaming ?? streamed.tokens.sequential;

        t0 = Date.now();
        const inproc = await inProcessSession(model, input.question, input.settings);
        local.push(Date.now() - t0);
        if (inproc.tokens.sequential !== seq)
          throw new Error(`in-process loop counted ${inproc.tokens.sequential} != ${seq}`);
      }
      const ideal = seq * TOKEN_MS;
      const idealStreaming = seqStreaming * TOKEN_MS;
      const tw = median(temporal);
      const lw = median(local);
      const sw = median(streaming);
      rows.push([
        String(executors),
        String(rounds),
        String(seq),
        `${(ideal / 1000).toFixed(2)}`,
        `${(tw / 1000).toFixed(2)}`,
        (tw / ideal).toFixed(2),
        `${(lw / 1000).toFixed(2)}`,
        (lw / ideal).toFixed(2),
        `${Math.round((tw - lw) / rounds)}`,
        `${(sw / 1000).toFixed(2)}`,
        `${seqStreaming}`,
        (sw / idealStreaming).toFixed(2),
        `${(((tw - sw) / tw) * 100).toFixed(0)}%`,
      ]);
      console.error(`done: ${executors} executors per round`);
    }
  } finally {
    await stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
  const header = [
    'exec/round',
    'rounds',
    'seq tok',
    'ideal s',
    'temporal s',
    'temporal/ideal',
    'in-proc s',
    'in-proc/ideal',
    'overhead ms/round',
    'streaming s',
    'stream seq tok',
    'streaming/its ideal',
    'streaming saves',
  ];
  console.log(
    `SPRINT session overhead (loopback engine, ${TOKEN_MS} ms/token, length scale ${SCALE}, median of ${REPEATS}, ${new Date().toISOString()})`,
  );
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
