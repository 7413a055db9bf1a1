import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  bundlerLogger,
  workflowInterceptorModules,
  workflowPreloadModules,
} from '../../workers/bundle-options';

/**
 * The workflow code bundled once per jest run, in a temp file named by $SPRINT_WORKFLOW_BUNDLE
 * (workers/create.ts and the workflow tests' worker read it). A run that selects several projects
 * runs each project's global setup in the same process: the second one finds the file and reuses it.
 */
export async function bundleWorkflowsOnce(): Promise<string> {
  const existing = process.env.SPRINT_WORKFLOW_BUNDLE;
  if (existing && fs.existsSync(existing)) return existing;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules,
    preloadModules: workflowPreloadModules,
    logger: bundlerLogger,
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-bundle-')), 'workflows.js');
  fs.writeFileSync(file, code);
  process.env.SPRINT_WORKFLOW_BUNDLE = file;
  return file;
}
