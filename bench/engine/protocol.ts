import type { ModelRequestRecord } from '../../test/helpers/loopback-model-server';

/*
 * The messages between the overhead bench and its engine double run in a process of its own
 * (bench/engine/process.ts starts bench/engine/main.ts): what the bench asks, what the engine answers.
 */

/** The scripted session the engine plays (bench/overhead-scenario.ts), timed at `tokenMs` per token. */
export interface EngineScenario {
  executors: number;
  scale: number;
  rounds: number;
  tokenMs: number;
}

export type EngineRequest =
  | { id: number; kind: 'scenario'; scenario: EngineScenario }
  | { id: number; kind: 'requests'; from: number }
  | { id: number; kind: 'count' };

export type EngineReply =
  | { kind: 'ready'; baseUrl: string }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'requests'; requests: ModelRequestRecord[] }
  | { id: number; kind: 'count'; count: number };

/**
 * A request as the bench reads it (bench/session-timeline.ts): its times and its stop strings,
 * which say what kind of call it was. Prompts stay in the engine's process: they are most of a
 * request's bytes and the bench does not read them.
 */
export function recordForBench(r: ModelRequestRecord): ModelRequestRecord {
  return {
    id: r.id,
    path: r.path,
    body: { stop: r.body.stop },
    prompt: '',
    startedAt: r.startedAt,
    ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.aborted ? { aborted: true } : {}),
  };
}
