/**
 * Bundles the workflow code once per build so workers start without webpack. `npm run build`
 * (scripts/build.js) runs it compiled: node dist/infra/docker/bundle-workflows.js dist/workflow-bundle.js
 * Compiled workers find that file beside them; $SPRINT_WORKFLOW_BUNDLE names another (workers/create.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../../workers/bundle-options';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: bundle-workflows.ts OUT_FILE');
    process.exit(2);
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    ...workflowBundleOptions,
  });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${code.length} bytes)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
