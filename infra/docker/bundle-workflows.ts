/**
 * Bundles the workflow code once (at image build time) so workers start without webpack:
 *   node --require tsx/cjs infra/docker/bundle-workflows.ts OUT_FILE
 * Workers pick the file up through $SPRINT_WORKFLOW_BUNDLE (see workers/create.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: bundle-workflows.ts OUT_FILE');
    process.exit(2);
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${code.length} bytes)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
