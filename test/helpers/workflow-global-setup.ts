import { bundleWorkflowsOnce } from './workflow-bundle';
import { startTestServer, type TestServer } from './temporal-server';

/** Where the workflow tests find the shared server (set for the test files' processes). */
export const WORKFLOW_TEST_SERVER_ENV = 'SPRINT_WORKFLOW_TEST_TEMPORAL';

/** The server this process started, for the global teardown (same process, separate module load). */
export interface WithWorkflowTestServer {
  sprintWorkflowTestServer?: TestServer;
}

/**
 * Once per run of the workflow project: the workflows bundled, and ONE dev server (the project's
 * pinned CLI) that every test file shares, each on its own task queue. Temporal's time-skipping
 * test server would have to be downloaded, which this project's machines cannot rely on; the
 * session loop sleeps nowhere, so real time costs nothing here.
 */
export default async function workflowGlobalSetup(): Promise<void> {
  await bundleWorkflowsOnce();
  const server = await startTestServer();
  (globalThis as WithWorkflowTestServer).sprintWorkflowTestServer = server;
  process.env[WORKFLOW_TEST_SERVER_ENV] = server.address;
}
