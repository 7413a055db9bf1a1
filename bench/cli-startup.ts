/**
 * CLI start-up, measured in one run beside `node -e 0` (the floor on this machine):
 *   - `sprint --help`: median wall time of N runs;
 *   - `sprint worker control`: from spawn until the Temporal server lists the worker as a poller of
 *     its queue (the worker really polls; not just "started"), against a dev server the bench starts.
 *     One warm-up worker runs first, uncounted: the server does not list the pollers of a worker
 *     deployment version before it is current (the first worker promotes it), so the timed runs
 *     measure what a restart of `sprint worker control` sees, each on a queue of its own.
 * Each row also gives its ratio to `node -e 0`, measured in the same run (the machine's load moves
 * all rows together; the ratio moves much less).
 * Run: npm run bench:cli [-- N]   (N runs each, default 9). Build first (`npm run build`): with a
 * stale or missing dist/ the CLI runs from the sources through tsx, and the bench says so.
 * Writes bench/results/cli-startup.json (bench/results.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { testConfig, writeConfigFile } from '../test/helpers/config';
import { startTestServer } from '../test/helpers/temporal-server';
import { controlQueue } from '../config/queues';
import { startBenchRecord } from './results';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'sprint.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS module shared with bin/
const { buildState } = require('../bin/build-state') as { buildState: () => string };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function timeCommand(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0 || (args.includes('--help') && !res.stdout.includes('Usage: sprint'))) {
    throw new Error(`${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  }
  return ms;
}

async function workerToFirstPoll(configFile: string, address: string, queue: string): Promise<number> {
  const connection = await Connection.connect({ address });
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin, '--config', configFile, 'worker', 'control'], {
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const res = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: queue },
        taskQueueType: 1,
      });
      // each run has its own queue (see main), so any poller is this worker
      if ((res.pollers?.length ?? 0) > 0) return Number(process.hrtime.bigint() - t0) / 1e6;
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // SIGKILL, not SIGTERM: only the start-up is measured here, and a graceful drain (which waits on
    // the server's long polls) would add seconds per run. The worker holds no tasks on its own queue.
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await connection.close();
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 9);
  const state = buildState();
  const record = startBenchRecord('cli-startup', { runs, 'worker runs': Math.min(runs, 5), 'dist/': state });
  console.log(
    `dist/ is ${state}${state === 'fresh' ? '' : ': the CLI runs from the sources (tsx); run `npm run build` first'}`,
  );
  const floor = Array.from({ length: runs }, () => timeCommand(['-e', '0']));
  const help = Array.from({ length: runs }, () => timeCommand([bin, '--help']));
  const server = await startTestServer();
  try {
    const warmUp = testConfig(server.address);
    await workerToFirstPoll(writeConfigFile(warmUp), server.address, controlQueue(warmUp));
    const worker: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      // a new queue per run, so no earlier poller can answer for this one
      const config = testConfig(server.address);
      worker.push(await workerToFirstPoll(writeConfigFile(config), server.address, controlQueue(config)));
    }
    const s = (ms: number) => (ms / 1000).toFixed(3);
    const row = (what: string, xs: number[], target?: number) =>
      `${what.padEnd(36)} median ${s(median(xs))} s  ${(median(xs) / median(floor)).toFixed(2).padStart(6)}x node` +
      `   (min ${s(Math.min(...xs))}, max ${s(Math.max(...xs))}, n=${xs.length})${target ? `   target < ${target} s` : ''}`;
    console.log(row('node -e 0', floor));
    console.log(row('sprint --help', help, 0.3));
    console.log(row('sprint worker control: first poll', worker, 1.5));
    const figures = (what: string, xs: number[], target: number | null) => ({
      command: what,
      'median s': median(xs) / 1000,
      'ratio to node -e 0': median(xs) / median(floor),
      'min s': Math.min(...xs) / 1000,
      'max s': Math.max(...xs) / 1000,
      n: xs.length,
      'target s': target,
    });
    record.finish({
      commands: [
        figures('node -e 0', floor, null),
        figures('sprint --help', help, 0.3),
        figures('sprint worker control: first poll', worker, 1.5),
      ],
    });
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
