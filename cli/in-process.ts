import type { QueryDefinition, WorkflowHandle } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { SprintConfig } from '../config';
import { connectWorker } from '../workers/connection';
import { preloadActivities } from '../workers/activities';
import {
  createWorkers,
  readWorkflowCodeEarly,
  runWorkers,
  workerLogger,
  type WorkerRole,
} from '../workers/create';
import { CliError, ExitCode } from './exit-codes';
import { stallNotices } from '../workers/pollers';
import { runtimeTelemetryOptions } from '../workers/telemetry/process';

/** One group of workers to run: a role, and for `llm` the pool (and replica) it serves. */
export interface WorkerSpec {
  role: WorkerRole;
  pool?: string;
  replica?: string;
}

export interface InProcessWorkers {
  /** The task queues polled, in start order (for the "polling ..." line). */
  queues: string[];
  /** Resolves when every worker has drained and the connection is closed. */
  done: Promise<void>;
  /** Asks the workers to drain and waits for them. */
  stop(): Promise<void>;
}

/**
 * Starts workers inside this CLI process (sprint dev / worker / demo, and the ad-hoc pools of ask,
 * eval and curate --with-workers) until `stop()` or until `until` resolves (a stop signal). The SDK
 * runtime is installed here, once, without its one-shot signal handlers: commands decide when to stop.
 */
export async function startInProcessWorkers(
  config: SprintConfig,
  specs: WorkerSpec[],
  options: { logLevel?: 'WARN' | 'ERROR'; until?: Promise<void> } = {},
): Promise<InProcessWorkers> {
  Runtime.install({
    shutdownSignals: [],
    logger: workerLogger(options.logLevel ?? 'WARN'),
    ...runtimeTelemetryOptions(),
  });
  const connecting = connectWorker(config);
  // The native connect runs off the main thread; the activity code (synchronous module loading)
  // and the workflow bundle load meanwhile instead of after it. Nothing awaits in between, so a
  // failed connect is still handled by the await below.
  const roles = specs.map((s) => s.role);
  preloadActivities(roles);
  const workflowCode = readWorkflowCodeEarly({ config }, roles);
  let connection;
  try {
    connection = await connecting;
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${config.temporal.address}: ${(err as Error).message}`,
      ExitCode.unavailable,
    );
  }
  const conn = connection;
  let workers;
  try {
    workers = (
      await Promise.all(
        specs.map((s) =>
          createWorkers(s.role, {
            config,
            connection: conn,
            pool: s.pool,
            replica: s.replica,
            workflowCode,
          }),
        ),
      )
    ).flat();
  } catch (err) {
    await conn.close();
    throw err;
  }
  let release!: () => void;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const done = runWorkers(workers, options.until ? Promise.race([stopped, options.until]) : stopped).finally(
    () => conn.close(),
  );
  return {
    queues: workers.map((w) => w.options.taskQueue),
    done,
    stop: async () => {
      release();
      await done;
    },
  };
}

/**
 * Waits for a workflow's result while showing its progress: every `everyMs` it runs `poll` (usually a
 * progress query); failed polls are skipped, because a workflow is not queryable before its first
 * task or between runs (continue-as-new). Resolves or rejects as the workflow does.
 */
export async function followWorkflow<R>(
  handle: WorkflowHandle,
  everyMs: number,
  poll: () => Promise<void>,
): Promise<R> {
  const result = handle.result() as Promise<R>;
  // Ctrl-C stops the following, not the run: say so, and how to stop the run too. Only when the
  // command has no stop handling of its own (sprint demo drains its workers first).
  const onInterrupt = () => {
    console.error(
      `\nsprint: interrupted; ${handle.workflowId} is not cancelled and goes on with the workers that ` +
        `poll its queues (\`npx sprint cancel ${handle.workflowId}\` stops it)`,
    );
    process.exit(ExitCode.interrupted);
  };
  const ownsInterrupt = process.listenerCount('SIGINT') === 0;
  if (ownsInterrupt) process.once('SIGINT', onInterrupt);
  try {
    return await followUntilClosed(handle, result, everyMs, poll);
  } finally {
    if (ownsInterrupt) process.off('SIGINT', onInterrupt);
  }
}

/** How often a followed run is asked for activities being retried (one describe call). */
const RETRY_CHECK_MS = 2000;

/**
 * Prints, once per activity and attempt, the activities of a run that failed and wait for or run
 * their next attempt, with the failure (`sprintPlan retrying (attempt 3): cannot reach the engine
 * at ... (connect ECONNREFUSED ...)`): without it a run whose engine is down shows nothing for
 * minutes. On stderr, so `--json` output stays clean.
 */
export function retryNotices(handle: WorkflowHandle, print: (line: string) => void): () => Promise<void> {
  const seen = new Set<string>();
  return async () => {
    const { raw } = await handle.describe();
    for (const a of raw.pendingActivities ?? []) {
      const attempt = a.attempt ?? 1;
      const why = a.lastFailure?.message;
      if (attempt < 2 || !why) continue;
      const key = `${a.activityId ?? ''}/${attempt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      print(`  ! ${a.activityType?.name ?? 'activity'} retrying (attempt ${attempt}): ${why}`);
    }
  };
}

async function followUntilClosed<R>(
  handle: WorkflowHandle,
  result: Promise<R>,
  everyMs: number,
  poll: () => Promise<void>,
): Promise<R> {
  let settled = false;
  const ended = result.then(
    () => (settled = true),
    () => (settled = true),
  );
  const checkRetries = retryNotices(handle, (line) => console.error(line));
  const checkStalls = stallNotices(handle, (line) => console.error(line));
  let lastRetryCheck = Date.now();
  while (!settled) {
    await Promise.race([ended, new Promise((r) => setTimeout(r, everyMs))]);
    if (settled) break;
    await poll().catch(() => undefined);
    if (Date.now() - lastRetryCheck >= RETRY_CHECK_MS) {
      lastRetryCheck = Date.now();
      await checkRetries().catch(() => undefined);
      await checkStalls().catch(() => undefined);
    }
  }
  // One last look: the rounds finished since the previous poll would otherwise never be shown
  // (a closed workflow still answers queries).
  await poll().catch(() => undefined);
  return result;
}

/** A poll that runs `query` and hands its answer to `show`. */
export function queryPoll<P>(
  handle: WorkflowHandle,
  query: QueryDefinition<P, []> | string,
  show: (progress: P) => void | Promise<void>,
): () => Promise<void> {
  return async () => {
    const progress = await handle.query<P, []>(query);
    await show(progress);
  };
}
