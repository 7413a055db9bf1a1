/*
 * The engine-call cuts of issue 28, each on its own: a round's fan-out of model calls sent three
 * ways, rotating the order round by round so load drifts hit all alike:
 *   - the `openai` client over the runtime's global fetch (where the project started),
 *   - the same client over the pooled keep-alive transport (io/engine-transport.ts),
 *   - the direct path: no `openai` client, one JSON POST over the same transport
 *     (ModelClient options.directCompletions, what an llm worker uses for unstreamed calls).
 * The engine answers at once, so what is timed is the transport and the client: the "activity to
 * engine" part of a dependent-call gap, and the HTTP share of the in-process loop.
 */
import { pooledEngineFetch } from '../io/engine-transport';
import { ModelClient } from '../io/model-client';
import { quantile } from '../core/session/call-gaps';
import type { LoopbackModelServer } from '../test/helpers/loopback-model-server';

export interface TransportAb {
  /** Calls sent at once per round. */
  fanout: number;
  rounds: number;
  /** Median ms from sending a round's calls to the last one reaching the engine. */
  globalFetchMs: number;
  pooledMs: number;
  directMs: number;
  /** Median ms for the whole round (every reply read). */
  globalFetchRoundMs: number;
  pooledRoundMs: number;
  directRoundMs: number;
}

async function round(client: ModelClient, engine: LoopbackModelServer, fanout: number, prompt: string) {
  const from = engine.requests.length;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: fanout }, () => client.complete({ prompt, maxTokens: 8, stop: ['</execution_1>'] })),
  );
  const wall = Date.now() - t0;
  const reached = Math.max(...engine.requests.slice(from).map((r) => r.startedAt)) - t0;
  return { reached, wall };
}

/** Runs `rounds` rotations of `fanout` calls each way; the engine's script is replaced (immediate replies). */
export async function transportAb(
  engine: LoopbackModelServer,
  fanout: number,
  rounds: number,
): Promise<TransportAb> {
  engine.setScript(() => ({ text: 'so the value is 42', completionTokens: 5 }));
  const endpoint = {
    baseUrl: engine.baseUrl,
    model: 'loopback-model',
    engine: 'vllm' as const,
    timeoutMs: 60_000,
  };
  const arms = [
    new ModelClient(endpoint, fetch),
    new ModelClient(endpoint, pooledEngineFetch),
    new ModelClient(endpoint, undefined, { directCompletions: true }),
  ];
  // A prompt of a mid-session executor's size (about 6 KB).
  const prompt = 'the value is then x equals the next term '.repeat(150);
  const timings = arms.map(() => ({ reached: [] as number[], wall: [] as number[] }));
  // Warm all (connections open, code paths compiled), not counted.
  for (const client of arms) await round(client, engine, fanout, prompt);
  for (let i = 0; i < rounds; i++)
    for (let k = 0; k < arms.length; k++) {
      const arm = (i + k) % arms.length;
      const r = await round(arms[arm]!, engine, fanout, prompt);
      timings[arm]!.reached.push(r.reached);
      timings[arm]!.wall.push(r.wall);
    }
  const median = (xs: number[]) => quantile(xs, 0.5);
  const [global, pooled, direct] = timings.map((t) => ({ reached: median(t.reached), wall: median(t.wall) }));
  return {
    fanout,
    rounds,
    globalFetchMs: global!.reached,
    pooledMs: pooled!.reached,
    directMs: direct!.reached,
    globalFetchRoundMs: global!.wall,
    pooledRoundMs: pooled!.wall,
    directRoundMs: direct!.wall,
  };
}
