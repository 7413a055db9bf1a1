import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { SprintConfig } from '../../config';
import { createWorkers, workerLogger, type WorkerRole } from '../../workers/create';

let runtimeInstalled = false;

/** In-process workers of a role, running until `stop()`. */
export async function startWorkers(
  config: SprintConfig,
  role: WorkerRole,
  opts: { pool?: string; replica?: string } = {},
): Promise<{ workers: Worker[]; stop: () => Promise<void> }> {
  if (!runtimeInstalled) {
    try {
      Runtime.install({ logger: workerLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this jest worker
    }
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createWorkers(role, { config, connection, ...opts });
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    workers,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
    },
  };
}

const repoRoot = path.resolve(__dirname, '..', '..');

/** A worker in its own process (`sprint worker ...`), so a test can SIGKILL it like a crash. */
export function spawnWorkerProcess(
  configFile: string,
  role: WorkerRole,
  extra: string[] = [],
): ChildProcess & { output: () => string } {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin', 'sprint.js'), '--config', configFile, 'worker', role, ...extra],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** Resolves when the child printed a line matching `pattern` (or rejects after the timeout). */
export async function waitForOutput(
  child: { output: () => string },
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(child.output())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}; output so far:\n${child.output()}`);
}

export async function waitFor(check: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
