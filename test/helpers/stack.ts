/**
 * One integration-test stack: a real Temporal dev server, loopback engines (TEST DOUBLES for
 * vLLM/SGLang), a config pointing at both with a fresh artifact root, a client, and in-process
 * workers for the roles a test asks for. `close()` tears it all down in the reverse order of
 * start-up, so no worker polls a stopped server and no engine goes away under a running worker.
 */
import { Client, Connection } from '@temporalio/client';
import type { SprintConfig, SprintConfigInput } from '../../config';
import type { WorkerRole } from '../../workers/create';
import { testConfig, writeConfigFile } from './config';
import { LoopbackModelServer } from './loopback-model-server';
import { startTestServer, type TestServer } from './temporal-server';
import { startWorkers } from './workers';

type PoolInput = NonNullable<NonNullable<SprintConfigInput['models']>['pools']>[string];

/** A one-replica pool (`r0`) served by a loopback engine, under the model name the engine reports. */
export function loopbackPool(engine: LoopbackModelServer, over: Partial<PoolInput> = {}): PoolInput {
  return { model: engine.model, replicas: [{ name: 'r0', baseUrl: engine.baseUrl }], ...over };
}

export interface StartedEngines<E extends string> {
  /** The started engines by the names the test gave them. */
  engines: Record<E, LoopbackModelServer>;
  /** The first engine named; throws when the stack was started without one. */
  readonly engine: LoopbackModelServer;
}

export interface StackOptions<E extends string> {
  /** Names of loopback engines to start (before the config, so it can use their URLs). */
  engines?: readonly E[];
  /** Config overrides on top of `testConfig`; a function sees the started engines. */
  config?: SprintConfigInput | ((started: StartedEngines<E>) => SprintConfigInput);
  /** In-process worker roles, started in this order (and stopped in the reverse one). */
  workers?: WorkerRole[];
}

export interface TestStack<E extends string = string> extends StartedEngines<E> {
  server: TestServer;
  config: SprintConfig;
  /** The config written to a file, for worker processes and the CLI. */
  configFile: string;
  client: Client;
  /** Stops the workers, closes the client, stops the engines, then the server. */
  close(): Promise<void>;
}

/**
 * Starts a stack. If any step fails, what was already started is torn down before the error is
 * rethrown: a half-started stack would otherwise leave a dev server running and hang jest.
 */
export async function startStack<E extends string = never>(
  opts: StackOptions<E> = {},
): Promise<TestStack<E>> {
  const teardown: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    // Reverse start order; every step runs even if an earlier one fails, so nothing is left running.
    const errors: unknown[] = [];
    for (const step of teardown.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length)
      throw new AggregateError(errors, `test stack: ${errors.length} teardown step(s) failed`);
  };
  try {
    const server = await startTestServer();
    teardown.push(() => server.stop());
    const names = opts.engines ?? [];
    const engines = {} as Record<E, LoopbackModelServer>; // filled just below, one per name
    for (const name of names) {
      const engine = await new LoopbackModelServer().start();
      teardown.push(() => engine.stop());
      engines[name] = engine;
    }
    const started: StartedEngines<E> = {
      engines,
      get engine(): LoopbackModelServer {
        const first = names[0];
        if (first === undefined) throw new Error('test stack: no engine was started (name one in `engines`)');
        return engines[first];
      },
    };
    const over = typeof opts.config === 'function' ? opts.config(started) : opts.config;
    const config = testConfig(server.address, over);
    const connection = await Connection.connect({ address: server.address });
    teardown.push(() => connection.close());
    const client = new Client({ connection });
    for (const role of opts.workers ?? []) {
      const { stop } = await startWorkers(config, role);
      teardown.push(stop);
    }
    return Object.assign(started, {
      server,
      config,
      configFile: writeConfigFile(config),
      client,
      close,
    });
  } catch (e) {
    await close().catch(() => undefined); // the start-up error is the one worth reporting
    throw e;
  }
}
