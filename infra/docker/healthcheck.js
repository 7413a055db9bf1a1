#!/usr/bin/env node
// Container health check for sprint workers (see worker-health.ts); runs the TypeScript through tsx.
require('tsx/cjs/api').register();
require('./worker-health.ts').healthcheckMain();
