import type { WithWorkflowTestServer } from './workflow-global-setup';

/** Stops the dev server the workflow project's global setup started. */
export default async function workflowGlobalTeardown(): Promise<void> {
  const holder = globalThis as WithWorkflowTestServer;
  await holder.sprintWorkflowTestServer?.stop();
  delete holder.sprintWorkflowTestServer;
}
