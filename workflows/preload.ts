import { z } from 'zod';

/*
 * Not a workflow: what the worker's reusable V8 context loads once, before any workflow runs
 * (workers/bundle-options.ts, workflowPreloadModules), and then freezes. zod sets its global
 * configuration (default locale, memoizer) when it makes its first schema, which a frozen
 * configuration would refuse inside a workflow: one schema made and used here sets it first. (zod
 * also says it has no side effects, so a bare `require('zod')` in the preload list would be dropped
 * by the bundler; the use here keeps it.)
 */
export const zodPreloaded = z.object({ preloaded: z.boolean() }).parse({ preloaded: true }).preloaded;
