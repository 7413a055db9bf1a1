import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../../infra/temporal/dev-server';

/** Once per integration run: install the pinned Temporal CLI and bundle the workflows once. */
export default async function globalSetup(): Promise<void> {
  ensureTemporalCli();
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: console.warn,
      error: console.error,
    },
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-bundle-')), 'workflows.js');
  fs.writeFileSync(file, code);
  process.env.SPRINT_WORKFLOW_BUNDLE = file;
}
