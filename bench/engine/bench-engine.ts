import type { ModelRequestRecord, ReplyScript } from '../../test/helpers/loopback-model-server';
import { sprintScript } from '../../test/helpers/sprint-script';
import { overheadScenario } from '../overhead-scenario';
import type { EngineScenario } from './protocol';
import { EngineProcess } from './process';

/**
 * The engine as the overhead bench drives it, wherever it runs: its address, the scripted session
 * it plays, and the requests it saw (with their times).
 */
export interface BenchEngine {
  readonly baseUrl: string;
  /** Where the engine runs, as the results name it. */
  readonly where: 'own process' | 'bench process';
  play(scenario: EngineScenario): Promise<void>;
  count(): Promise<number>;
  requestsFrom(from: number): Promise<ModelRequestRecord[]>;
  stop(): Promise<void>;
}

/** An engine in the bench's own process (the loopback double or the vLLM replay engine). */
export function inlineEngine(engine: {
  baseUrl: string;
  requests: ModelRequestRecord[];
  setScript(script: ReplyScript): unknown;
  stop(): Promise<void>;
}): BenchEngine {
  return {
    baseUrl: engine.baseUrl,
    where: 'bench process',
    play: ({ executors, scale, rounds, tokenMs }) => {
      engine.setScript(
        sprintScript(overheadScenario(executors, scale, rounds), { perTokenDelayMs: tokenMs }),
      );
      return Promise.resolve();
    },
    count: () => Promise.resolve(engine.requests.length),
    requestsFrom: (from) => Promise.resolve(engine.requests.slice(from)),
    stop: () => engine.stop(),
  };
}

/** The loopback double in a process of its own (bench/engine/process.ts says why). */
export async function processEngine(): Promise<BenchEngine> {
  const engine = await EngineProcess.start();
  return {
    baseUrl: engine.baseUrl,
    where: 'own process',
    play: (scenario) => engine.setScenario(scenario),
    count: () => engine.count(),
    requestsFrom: (from) => engine.requestsFrom(from),
    stop: () => engine.stop(),
  };
}
