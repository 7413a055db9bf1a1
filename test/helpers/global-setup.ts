import { ensureTemporalCli } from '../../infra/temporal/dev-server';
import { bundleWorkflowsOnce } from './workflow-bundle';

/** Once per integration run: install the pinned Temporal CLI and bundle the workflows once. */
export default async function globalSetup(): Promise<void> {
  ensureTemporalCli();
  await bundleWorkflowsOnce();
}
