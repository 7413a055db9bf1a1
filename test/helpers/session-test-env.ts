/**
 * One session-workflow test environment per test file: Temporal's TestWorkflowEnvironment on the
 * dev server the workflow project's global setup started, a worker on a queue of its own running
 * the pre-built workflow bundle, the real artifact activities on a temp folder, and the model calls
 * doubled (session-doubles.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker, type WorkerDeploymentOptions } from '@temporalio/worker';
import { createArtifactActivities } from '../../activities/artifacts';
import { createSessionTextActivities } from '../../activities/session-texts';
import type { PoolRoute } from '../../config/queues';
import type { SessionSettingsInput } from '../../config/schema/session';
import type { SessionRunInput } from '../../config/session-input';
import type { SessionTranscript } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import { workerLogger } from '../../workers/create';
import { promoteWhenPolling } from '../../workers/versioning';
import { sessionMetricsSinks } from '../../workers/telemetry/sinks';
import { sessionWorkflow } from '../../workflows';
import { SessionDoubles, type SessionScript } from './session-doubles';
import { WORKFLOW_TEST_SERVER_ENV } from './workflow-global-setup';

export interface SessionTestEnv {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  store: ArtifactStore;
  doubles: SessionDoubles;
  /** Starts a session whose model calls `script` answers (platform profile unless settings say otherwise). */
  start(
    name: string,
    script: SessionScript,
    settings?: SessionSettingsInput,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof sessionWorkflow>>;
  /** The transcript a session wrote to the artifact store (under its workflow id). */
  transcript(workflowId: string): Promise<SessionTranscript>;
  close(): Promise<void>;
}

function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: workerLogger('ERROR'), shutdownSignals: [] });
  } catch {
    // installed already in this jest worker
  }
}

export async function startSessionTestEnv(): Promise<SessionTestEnv> {
  const address = process.env[WORKFLOW_TEST_SERVER_ENV];
  const bundle = process.env.SPRINT_WORKFLOW_BUNDLE;
  if (!address || !bundle)
    throw new Error(
      `${WORKFLOW_TEST_SERVER_ENV} / SPRINT_WORKFLOW_BUNDLE unset: run workflow tests with jest --selectProjects workflow (its global setup starts the server)`,
    );
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address });
  const store = new ArtifactStore(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-wf-artifacts-')));
  const tag = Math.random().toString(36).slice(2, 10);
  const taskQueue = `wf-session-${tag}`;
  const doubles = new SessionDoubles(env.client);
  // Sessions are PINNED (workflows/versioning.ts), which needs a versioned worker, as in production:
  // a deployment of this file's own, made current once the worker polls.
  const deployment: WorkerDeploymentOptions = {
    useWorkerVersioning: true,
    version: { deploymentName: `wf-session-${tag}`, buildId: 'test' },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
  const identity = `workflow-tests-${tag}`;
  const worker = await Worker.create({
    identity,
    workerDeploymentOptions: deployment,
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: bundle },
    activities: {
      ...createArtifactActivities(store),
      ...createSessionTextActivities(store),
      ...doubles.activities(),
    },
    shutdownGraceTime: '1s',
    sinks: sessionMetricsSinks(),
  });
  const running = worker.run();
  await promoteWhenPolling(env.nativeConnection, 'default', deployment, identity);
  // Both roles on the worker's own queue: the session routes its calls by these (no replicas).
  const route: PoolRoute = { pool: 'doubled', model: 'doubled-model', sharedQueue: taskQueue, replicas: [] };
  let n = 0;

  return {
    env,
    client: env.client,
    taskQueue,
    store,
    doubles,
    async start(name, script, settings = {}) {
      const workflowId = `${name}-${Date.now()}-${++n}`;
      doubles.script(workflowId, script);
      const input: SessionRunInput = {
        question: `question of ${name}`,
        pool: route.pool,
        settings: { profile: 'platform', ...settings },
        routing: { planner: route, executor: route },
      };
      return env.client.workflow.start(sessionWorkflow, { taskQueue, workflowId, args: [input] });
    },
    async transcript(workflowId) {
      const ref = await store.getKey(`sessions/${workflowId}/transcript`);
      if (!ref) throw new Error(`no transcript written for ${workflowId}`);
      return store.getJson<SessionTranscript>(ref);
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      fs.rmSync(store.root, { recursive: true, force: true });
    },
  };
}
