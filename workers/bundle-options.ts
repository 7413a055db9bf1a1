import type { BundleOptions, Logger } from '@temporalio/worker';

/**
 * The workflow interceptors every bundle carries (session metrics and traces: workflows/telemetry.ts).
 * Workers register the sinks they report through (workers/telemetry/worker-options.ts).
 */
export const workflowInterceptorModules = [require.resolve('../workflows/telemetry')];

/**
 * Whether workflow code records stack traces (the SDK's stack-trace query, frames in errors made in
 * workflow code): off unless SPRINT_WORKFLOW_STACK_TRACES=1 when the bundle is made, because the
 * SDK pays for one on every promise a workflow creates (workflows/preload-no-stacks.ts, issue 28).
 */
export function workflowStackTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SPRINT_WORKFLOW_STACK_TRACES === '1';
}

/**
 * Modules the SDK's reusable V8 context evaluates once per worker rather than at the start of every
 * workflow run (issue 28). Each run gets a fresh module cache, so without this every session's first
 * workflow task evaluated all of zod again before it could schedule its first call. Shared modules
 * are deep-frozen and must hold no per-workflow state: the zod library (workflows/preload.ts) qualifies (schemas made
 * from it in a run are new objects of that run); sprint's own schemas do not (zod defines
 * properties on a schema when it first parses with it, which a frozen schema refuses). The
 * sandbox's stack-trace limit is set there too (workflows/preload-no-stacks.ts).
 */
export function workflowPreloadModulesFor(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    require.resolve('../workflows/preload'),
    ...(workflowStackTraces(env) ? [] : [require.resolve('../workflows/preload-no-stacks')]),
  ];
}

export const workflowPreloadModules = workflowPreloadModulesFor();

/**
 * How the workflow code is bundled, wherever it is (the build's dist/workflow-bundle.js, a worker
 * run from the sources). The SDK's default inline source map carries every source file's text
 * (about 1.7 MB of the 4.8 MB bundle, most of it zod), and every worker start decodes, re-encodes
 * and compiles all of it before its first poll. Webpack's `inline-nosources-source-map` keeps the
 * mappings (workflow stack traces still name file:line) and drops the copied source text: the
 * bundle is about half the size and Worker.create about 0.5 s faster on this machine.
 */
export const workflowBundleOptions: Pick<
  BundleOptions,
  'webpackConfigHook' | 'workflowInterceptorModules' | 'preloadModules'
> = {
  webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-source-map' }),
  workflowInterceptorModules,
  preloadModules: workflowPreloadModules,
};

const silent = () => undefined;

/** The bundler's logger wherever sprint bundles: its warnings and errors only (the rest is webpack's progress). */
export const bundlerLogger: Logger = {
  log: silent,
  trace: silent,
  debug: silent,
  info: silent,
  warn: console.warn,
  error: console.error,
};

/** The same, its warnings silenced too: where a bundle is made only to replay or measure. */
export const errorsOnlyBundlerLogger: Logger = { ...bundlerLogger, warn: silent };
