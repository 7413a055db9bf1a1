#!/usr/bin/env node
// Container health check for sprint workers (see healthcheck.ts); runs the TypeScript through tsx.
require('tsx/cjs/api').register();
require('./healthcheck.ts').healthcheckMain();
