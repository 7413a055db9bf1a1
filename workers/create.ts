import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultLogger, type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { SprintConfig } from '../config/schema';
import { configFingerprint, workerIdentity } from '../config/deployment';
import { controlQueue, curationQueue, trainingQueue, poolQueue, replicaQueue } from '../config/queues';
import {
  builtWorkflowCode,
  deploymentOptions,
  promoteWhenPolling,
  workflowCode,
  type WorkflowCode,
} from './versioning';
import {
  loadControlActivities,
  loadCurationActivities,
  loadLlmActivities,
  loadTrainingActivities,
} from './activities';

import type { WorkerRole } from './roles';
import { llmActivityPolling } from './tuning';
import { workflowPreloadModules } from './bundle-options';
import { dataConverterOf } from './connection';
import { telemetryWorkerOptions } from './telemetry/worker-options';

export { workerRoles, type WorkerRole } from './roles';

export interface WorkerSetup {
  config: SprintConfig;
  connection: NativeConnection;
  /** Pre-built workflow bundle (tests build it once); default $SPRINT_WORKFLOW_BUNDLE, then the build's. */
  workflowBundlePath?: string;
  /** The control worker's workflow code when the caller has read it already (readWorkflowCodeEarly). */
  workflowCode?: WorkflowCode;
  /** For role `llm`: which pool, and which replica (all replicas of the pool when omitted). */
  pool?: string;
  replica?: string;
}

/**
 * The workflow bundle `npm run build` writes beside the compiled code (dist/workflow-bundle.js). It
 * is looked up relative to this file, so only compiled code of that same build finds it; code run
 * from the sources (tsx, jest) never picks up a bundle of older sources.
 */
const builtBundle = path.resolve(__dirname, '..', 'workflow-bundle.js');

/** The pre-built bundle this worker should run, when there is one. */
function bundlePathOf(setup: Pick<WorkerSetup, 'workflowBundlePath'>): string | undefined {
  const bundlePath = setup.workflowBundlePath ?? process.env.SPRINT_WORKFLOW_BUNDLE ?? builtBundle;
  return fs.existsSync(bundlePath) ? bundlePath : undefined;
}

function workflowSource(
  setup: WorkerSetup,
): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle' | 'bundlerOptions'> {
  const bundlePath = bundlePathOf(setup);
  if (bundlePath) return { workflowBundle: { codePath: bundlePath } };
  // No bundle: the SDK bundles the workflows at start (webpack, a few seconds).
  return {
    workflowsPath: require.resolve('../workflows'),
    bundlerOptions: { preloadModules: workflowPreloadModules },
  };
}

/**
 * The pre-built workflow code a control worker among `roles` will hash and run (Worker Versioning
 * on), read now: cli/in-process.ts reads it while the connection to Temporal is being made rather
 * than after (about 25 ms of a start on the dev machine). Undefined when no such worker or no bundle.
 */
export function readWorkflowCodeEarly(
  setup: Pick<WorkerSetup, 'config' | 'workflowBundlePath'>,
  roles: readonly WorkerRole[],
): WorkflowCode | undefined {
  if (!setup.config.temporal.versioning.enabled) return undefined;
  if (!roles.includes('control') && !roles.includes('all')) return undefined;
  return builtWorkflowCode(bundlePathOf(setup));
}

/** Identity with the config fingerprint, so `sprint status` can spot pollers that run another config. */
function identity(config: SprintConfig): string {
  return workerIdentity(configFingerprint(config), process.pid, os.hostname());
}

function shutdownGrace(config: SprintConfig) {
  return config.workers.shutdownGraceSeconds * 1000;
}

async function controlWorker(setup: WorkerSetup): Promise<Worker[]> {
  const { config, connection } = setup;
  const versioning = config.temporal.versioning;
  const common = {
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterOf(config),
    identity: identity(config),
    taskQueue: controlQueue(config),
    activities: loadControlActivities()(config),
    ...config.workers.control,
    shutdownGraceTime: shutdownGrace(config),
  };
  if (!versioning.enabled) {
    const source = workflowSource(setup);
    return [await Worker.create({ ...common, ...source, ...telemetryWorkerOptions(undefined, source) })];
  }
  // The build id is the bundle's hash, so the worker runs exactly the code it hashed.
  const { code } = setup.workflowCode ?? (await workflowCode(bundlePathOf(setup)));
  const workerDeploymentOptions = deploymentOptions(config, code);
  const worker = await Worker.create({
    ...common,
    workflowBundle: { code },
    workerDeploymentOptions,
    ...telemetryWorkerOptions(undefined),
  });
  if (versioning.promote) {
    promoteWhenPolling(connection, config.temporal.namespace, workerDeploymentOptions, common.identity).catch(
      (err: unknown) => console.error(`sprint worker: ${(err as Error).message}`),
    );
  }
  return [worker];
}

async function curationWorker(setup: WorkerSetup): Promise<Worker[]> {
  const { config, connection } = setup;
  return [
    await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverterOf(config),
      identity: identity(config),
      taskQueue: curationQueue(config),
      activities: loadCurationActivities()(config),
      maxConcurrentActivityTaskExecutions: config.workers.curation.maxConcurrentActivityTaskExecutions,
      shutdownGraceTime: shutdownGrace(config),
      ...telemetryWorkerOptions(undefined),
    }),
  ];
}

async function trainingWorker(setup: WorkerSetup): Promise<Worker[]> {
  const { config, connection } = setup;
  return [
    await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverterOf(config),
      identity: identity(config),
      taskQueue: trainingQueue(config),
      activities: loadTrainingActivities()(config),
      maxConcurrentActivityTaskExecutions: config.workers.training.maxConcurrentActivityTaskExecutions,
      shutdownGraceTime: shutdownGrace(config),
      ...telemetryWorkerOptions(undefined),
    }),
  ];
}

/**
 * One replica's llm worker polls two queues: its own (sticky calls that should hit its prefix cache)
 * and the pool's shared queue (calls any replica may serve).
 */
async function llmWorkers(
  setup: WorkerSetup,
  pool: string,
  replica: string,
  withSharedQueue = true,
): Promise<Worker[]> {
  const { config, connection } = setup;
  const p = config.models.pools[pool]!;
  const activities = loadLlmActivities()(config, pool, replica);
  // One process may serve several replicas of a pool, but the SDK allows one worker per queue and
  // process: the pool's shared queue is then polled by the first replica's worker only.
  const queues = withSharedQueue
    ? [replicaQueue(config, pool, replica), poolQueue(config, pool)]
    : [replicaQueue(config, pool, replica)];
  return Promise.all(
    queues.map((taskQueue) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: dataConverterOf(config),
        identity: identity(config),
        taskQueue,
        activities,
        maxConcurrentActivityTaskExecutions: p.maxConcurrentCalls,
        activityTaskPollerBehavior: llmActivityPolling(p.maxConcurrentCalls),
        shutdownGraceTime: shutdownGrace(config),
        ...telemetryWorkerOptions({ pool, replica }),
      }),
    ),
  );
}

function llmGroups(setup: WorkerSetup): Promise<Worker[]>[] {
  const seen = new Set<string>();
  return llmTargets(setup).map((t) => {
    const first = !seen.has(t.pool);
    seen.add(t.pool);
    return llmWorkers(setup, t.pool, t.replica, first);
  });
}

function llmTargets(setup: WorkerSetup): { pool: string; replica: string }[] {
  const pools = setup.pool ? [setup.pool] : Object.keys(setup.config.models.pools);
  const targets: { pool: string; replica: string }[] = [];
  for (const pool of pools) {
    const p = setup.config.models.pools[pool];
    if (!p)
      throw new Error(`unknown pool "${pool}" (have: ${Object.keys(setup.config.models.pools).join(', ')})`);
    for (const r of p.replicas) {
      if (!setup.replica || setup.replica === r.name) targets.push({ pool, replica: r.name });
    }
    if (setup.replica && !p.replicas.some((r) => r.name === setup.replica)) {
      throw new Error(`pool "${pool}" has no replica "${setup.replica}"`);
    }
  }
  return targets;
}

/** Creates the workers of a role (`all` = every role, every pool replica: development on one machine). */
export async function createWorkers(role: WorkerRole, setup: WorkerSetup): Promise<Worker[]> {
  switch (role) {
    case 'control':
      return controlWorker(setup);
    case 'curation':
      return curationWorker(setup);
    case 'training':
      return trainingWorker(setup);
    case 'llm':
      return (await Promise.all(llmGroups(setup))).flat();
    case 'all': {
      const groups = await Promise.all([
        controlWorker(setup),
        curationWorker(setup),
        trainingWorker(setup),
        ...llmGroups(setup),
      ]);
      return groups.flat();
    }
  }
}

/** The SDK's logger at WARN, minus the expected notice that activity-only workers poll no workflows. */
export function workerLogger(level: 'WARN' | 'ERROR' = 'WARN'): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    console.error(`${entry.level} ${entry.message}${entry.meta ? ` ${JSON.stringify(entry.meta)}` : ''}`);
  });
}

/**
 * Resolves on the first SIGINT/SIGTERM. Later signals do not kill the process mid-drain; the
 * third one exits at once (for a user who really wants out). Install `Runtime` with
 * `shutdownSignals: []` so the SDK's own one-shot handlers stay out of the way.
 */
export function firstStopSignal(log: (line: string) => void): Promise<void> {
  let signals = 0;
  return new Promise<void>((resolve) => {
    const onSignal = () => {
      signals += 1;
      if (signals === 1) {
        log('shutting down (workers finish their current tasks first)...');
        resolve();
      } else if (signals === 2) log('still shutting down; send the signal once more to force');
      else process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs workers until `stop` resolves, then shuts them down gracefully (in-flight tasks drain). */
export async function runWorkers(workers: Worker[], stop?: Promise<void>): Promise<void> {
  void stop?.then(() => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  });
  await Promise.all(workers.map((w) => w.run()));
}
