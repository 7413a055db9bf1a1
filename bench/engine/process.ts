import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { ModelRequestRecord } from '../../test/helpers/loopback-model-server';
import type { EngineReply, EngineRequest, EngineScenario } from './protocol';

/*
 * The overhead bench's engine double in its own process (issue 28). A model engine is never in the
 * workers' process: vLLM or SGLang run apart (usually on another machine), so the HTTP server that
 * reads a request's body, parses it and starts the reply does not share an event loop with the llm
 * worker that sends 16 requests at once. In one process the bench charged the double's work to the
 * session (and to the in-process loop, which calls the same engine); the floor calls no engine.
 */

type Pending = (reply: EngineReply) => void;

/** Distributes a request over an object without the `id` (so the union stays narrowed). */
type Ask = EngineRequest extends infer R ? (R extends EngineRequest ? Omit<R, 'id'> : never) : never;

export class EngineProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.on('message', (m: EngineReply) => {
      if (m.kind === 'ready') return;
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m);
    });
  }

  /** Starts the engine process; resolves once it listens. */
  static async start(): Promise<EngineProcess> {
    const child = fork(path.join(__dirname, 'main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`engine process exited (${code}) before it listened`)));
      child.on('message', (m: EngineReply) => {
        if (m.kind === 'ready') resolve(m.baseUrl);
      });
    });
    child.removeAllListeners('exit');
    return new EngineProcess(child, baseUrl);
  }

  private ask<K extends EngineReply['kind']>(
    request: Ask,
    kind: K,
  ): Promise<Extract<EngineReply, { kind: K }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) =>
        reply.kind === kind
          ? resolve(reply as Extract<EngineReply, { kind: K }>)
          : reject(new Error(`engine process answered ${reply.kind} to ${request.kind}`)),
      );
      this.child.send({ ...request, id });
    });
  }

  /** Plays the bench's scripted session from now on. */
  async setScenario(scenario: EngineScenario): Promise<void> {
    await this.ask({ kind: 'scenario', scenario }, 'done');
  }

  /** How many requests the engine has seen. */
  async count(): Promise<number> {
    return (await this.ask({ kind: 'count' }, 'count')).count;
  }

  /** The requests from the `from`-th on (times and stop strings; no prompts). */
  async requestsFrom(from: number): Promise<ModelRequestRecord[]> {
    return (await this.ask({ kind: 'requests', from }, 'requests')).requests;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
