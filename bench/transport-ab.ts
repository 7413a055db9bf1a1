/*
 * The engine-transport cut of issue 28 on its own: a round's fan-out of model calls through the
 * same ModelClient, once over the runtime's global fetch and once over the replica's pooled
 * keep-alive agent (io/engine-transport.ts), alternating A and B round by round so load drifts hit
 * both alike. The engine answers at once, so what is timed is the transport and the client: the
 * "activity to engine" part of a dependent-call gap, and the HTTP share of the in-process loop.
 */
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
  /** Median ms for the whole round (every reply read). */
  globalFetchRoundMs: number;
  pooledRoundMs: number;
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

/** Runs `rounds` A/B pairs of `fanout` calls each; the engine's script is replaced (immediate replies). */
export async function transportAb(
  engine: LoopbackModelServer,
  fanout: number,
  rounds: number,
): Promise<TransportAb> {
  engine.setScript(() => ({ text: 'so the value is 42', completionTokens: 5 }));
  const endpoint = { baseUrl: engine.baseUrl, model: 'loopback-model', engine: 'vllm' as const };
  const globalFetch = new ModelClient({ ...endpoint, timeoutMs: 60_000 }, fetch);
  const pooled = new ModelClient({ ...endpoint, timeoutMs: 60_000 });
  // A prompt of a mid-session executor's size (about 6 KB).
  const prompt = 'the value is then x equals the next term '.repeat(150);
  const a = { reached: [] as number[], wall: [] as number[] };
  const b = { reached: [] as number[], wall: [] as number[] };
  // Warm both (connections open, code paths compiled), not counted.
  await round(globalFetch, engine, fanout, prompt);
  await round(pooled, engine, fanout, prompt);
  for (let i = 0; i < rounds; i++) {
    const [first, second] = i % 2 ? [b, a] : [a, b];
    const [c1, c2] = i % 2 ? [pooled, globalFetch] : [globalFetch, pooled];
    const r1 = await round(c1, engine, fanout, prompt);
    first.reached.push(r1.reached);
    first.wall.push(r1.wall);
    const r2 = await round(c2, engine, fanout, prompt);
    second.reached.push(r2.reached);
    second.wall.push(r2.wall);
  }
  const median = (xs: number[]) => quantile(xs, 0.5);
  return {
    fanout,
    rounds,
    globalFetchMs: median(a.reached),
    pooledMs: median(b.reached),
    globalFetchRoundMs: median(a.wall),
    pooledRoundMs: median(b.wall),
  };
}
