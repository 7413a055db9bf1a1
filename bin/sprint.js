#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx sprint` works from a clone without a build step.
require('tsx/cjs/api').register();
require('../cli/main.ts');
