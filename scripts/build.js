// `npm run build` (also `prepare` and scripts/setup.sh): compiles the TypeScript to dist/, bundles
// the workflow code once into dist/workflow-bundle.js (workers load it instead of bundling at every
// start), then stamps the build. The stamp is written last, so an interrupted build is never "fresh".
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, STAMP, stampText } = require('../bin/build-state');

const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
execFileSync(
  process.execPath,
  [path.join(dist, 'infra', 'docker', 'bundle-workflows.js'), path.join(dist, 'workflow-bundle.js')],
  { stdio: 'inherit' },
);
fs.writeFileSync(STAMP, stampText(root));
