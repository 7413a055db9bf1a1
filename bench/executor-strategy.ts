/*
 * Executor strategy bench: what `shared-prefix` costs against the released `reorder` rewrite.
 *
 *   npx tsx bench/executor-strategy.ts
 *
 * A scripted engine (the loopback double) cannot measure accuracy: its replies do not depend on
 * the input. What this bench measures, on a real dev server and the engine's request log, is the
 * two things accuracy and speed depend on:
 *   - trained context: the share of executor inputs in a context the released checkpoint was
 *     trained on. In training, an execution block opens with `<execution_p.1>` right after
 *     `<Execution_p>\n`; `reorder` gives every executor that context, `shared-prefix` only the
 *     first of each round (executor k opens `<execution_p.k>` with no execution before it). This
 *     is the accuracy risk; its size in accuracy needs the real checkpoint on real engines.
 *   - cacheable prefix: per round, the characters all executor inputs share (what an engine prefix
 *     cache serves once) as a share of the mean executor input, and the wall-clock.
 * Environment: BENCH_TOKEN_MS (default 2), BENCH_EXECUTORS (default 4 prompts per round).
 * Writes bench/results/executor-strategy.json (bench/results.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { controlQueue, sessionRunInput } from '../config';
import { sessionWorkflow } from '../workflows';
import { testConfig } from '../test/helpers/config';
import { LoopbackModelServer, type ModelRequestRecord } from '../test/helpers/loopback-model-server';
import { sprintScript, type Scenario } from '../test/helpers/sprint-script';
import { startTestServer } from '../test/helpers/temporal-server';
import { startWorkers } from '../test/helpers/workers';
import { loopbackPool } from '../test/helpers/stack';
import { ArtifactStore } from '../io/artifacts';
import { readSessionText } from '../io/session-texts';
import { startBenchRecord } from './results';
import type { FigureRow } from './result-shape';

const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 2);
const EXECUTORS = Number(process.env.BENCH_EXECUTORS ?? 4);

function scenario(executors: number): Scenario {
  const words = (n: number, seed: number) =>
    Array.from(
      { length: n },
      (_, i) => ['so', 'we', 'add', 'the', 'terms', 'then', 'check'][(i + seed) % 7],
    ).join(' ');
  return {
    rounds: [1, 2, 3].map((r) => ({
      parts: [
        words(60, r),
        ...Array.from({ length: executors }, (_, k) => [
          { prompt: `Sub-task ${r}.${k + 1}: ${words(10, k)}` },
          words(15, k),
        ]).flat(),
      ],
      executions: Array.from({ length: executors }, (_, k) => words(120 + 20 * k, k + r)),
    })),
    final: 'So the answer is \\boxed{42}.',
  };
}

function commonPrefixLength(texts: string[]): number {
  const first = texts[0] ?? '';
  let n = first.length;
  for (const t of texts.slice(1)) {
    let i = 0;
    while (i < n && i < t.length && t[i] === first[i]) i++;
    n = i;
  }
  return n;
}

/** Executor requests of a session, by phase (the opened tag ends every executor input). */
function executorsByPhase(reqs: ModelRequestRecord[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of reqs) {
    const m = /<execution_(\d+)\.\d+>\n$/.exec(r.prompt);
    if (!m) continue;
    const phase = Number(m[1]);
    out.set(phase, [...(out.get(phase) ?? []), r.prompt]);
  }
  return out;
}

async function main(): Promise<void> {
  const record = startBenchRecord('executor-strategy', {
    'token ms': TOKEN_MS,
    'executors per round': EXECUTORS,
  });
  const server = await startTestServer();
  const engine = await new LoopbackModelServer().start();
  const config = testConfig(server.address, {
    models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
  });
  const store = new ArtifactStore(config.artifacts.root);
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { stop } = await startWorkers(config, 'all');
  const rows: string[][] = [];
  const figures: FigureRow[] = [];
  const texts: string[] = [];
  try {
    // Warm-up (workflow bundle, caches), not counted.
    engine.setScript(sprintScript(scenario(1)));
    await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `bench-strategy-warmup-${Date.now()}`,
      args: [sessionRunInput(config, 'warm-up')],
    });
    for (const strategy of ['reorder', 'shared-prefix'] as const) {
      engine.setScript(sprintScript(scenario(EXECUTORS), { perTokenDelayMs: TOKEN_MS }));
      const before = engine.requests.length;
      const t0 = Date.now();
      const result = await client.workflow.execute(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `bench-strategy-${strategy}-${Date.now()}`,
        args: [
          sessionRunInput(config, 'What is the bench answer?', { settings: { executorStrategy: strategy } }),
        ],
      });
      const wall = Date.now() - t0;
      texts.push(await readSessionText(store, result.text));
      const phases = executorsByPhase(engine.requests.slice(before));
      const inputs = [...phases.values()].flat();
      const trained = inputs.filter((p) => /<Execution_(\d+)>\n<execution_\1\.1>\n$/.test(p)).length;
      const shares = [...phases.values()].map((round) => {
        const mean = round.reduce((a, p) => a + p.length, 0) / round.length;
        return commonPrefixLength(round) / mean;
      });
      const cacheable = shares.reduce((a, b) => a + b, 0) / shares.length;
      figures.push({
        strategy,
        'executor calls': inputs.length,
        'in a trained context': trained,
        'in a trained context %': (trained / inputs.length) * 100,
        'cacheable prefix %': cacheable * 100,
        'wall s': wall / 1000,
      });
      rows.push([
        strategy,
        String(inputs.length),
        `${trained} (${((trained / inputs.length) * 100).toFixed(0)}%)`,
        `${(cacheable * 100).toFixed(1)}%`,
        (wall / 1000).toFixed(2),
      ]);
    }
  } finally {
    await stop();
    await client.connection.close();
    await engine.stop();
    await server.stop();
  }
  if (texts[0] !== texts[1]) throw new Error('the two strategies produced different trajectories');
  const header = [
    'strategy',
    'executor calls',
    'in a trained context',
    'cacheable prefix (mean per round)',
    'wall s',
  ];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  record.finish({ strategies: figures });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
