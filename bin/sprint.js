#!/usr/bin/env node
// The `sprint` command. Runs the compiled CLI in dist/ when it is a build of the sources beside it
// (always so in an installed package), and the TypeScript sources through tsx otherwise (a clone
// that was edited since its last build): a stale build never runs. It calls main() explicitly, so
// the CLI runs however this file is reached (npx, npm exec, npm link, a global install, a symlink).
'use strict';
const { MAIN, buildState } = require('./build-state');

function loadCli() {
  const state = buildState();
  if (state === 'fresh') return require(MAIN);
  if (process.env.SPRINT_DEBUG_BUILD) console.error(`sprint: dist/ is ${state}; running the sources`);
  try {
    require('tsx/cjs/api').register();
  } catch {
    console.error(
      `sprint: the compiled CLI (dist/) is ${state} and tsx is not installed to run the sources; ` +
        'run `npm run build` (or `npm install`) in the package folder.',
    );
    process.exit(2);
  }
  return require('../cli/main.ts');
}

loadCli()
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
