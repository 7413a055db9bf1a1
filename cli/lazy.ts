/** The action modules, by name (types only: nothing is loaded here). */
interface ActionModules {
  ask: typeof import('./actions/ask');
  cancel: typeof import('./actions/cancel');
  curate: typeof import('./actions/curate');
  'curate-import': typeof import('./actions/curate-import');
  demo: typeof import('./actions/demo');
  dev: typeof import('./actions/dev');
  eval: typeof import('./actions/eval');
  pipeline: typeof import('./actions/pipeline');
  serve: typeof import('./actions/serve');
  show: typeof import('./actions/show');
  status: typeof import('./actions/status');
  train: typeof import('./actions/train');
  worker: typeof import('./actions/worker');
}

type ActionName<M extends keyof ActionModules> = {
  [K in keyof ActionModules[M]]: ActionModules[M][K] extends (...args: never[]) => unknown ? K : never;
}[keyof ActionModules[M]];

/**
 * A commander action that loads `cli/actions/<module>` only when the command runs: `sprint --help`
 * and the parsing of every command stay free of the Temporal SDK, webpack and the model client.
 */
export function lazyAction<M extends keyof ActionModules>(
  module: M,
  action: ActionName<M>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // require(), not import(): compiled to CommonJS, tsc turns import() into require() anyway, while
    // under tsx (a clone without a build) a native import() could not load the .ts sources.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(`./actions/${module}`) as ActionModules[M];
    await (loaded[action] as (...a: unknown[]) => unknown)(...args);
  };
}
