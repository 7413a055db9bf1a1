/**
 * A commander action that loads its module only when the command runs: `sprint --help` and the
 * parsing of every command stay free of the Temporal SDK, webpack and the model client.
 */
export function lazyAction<A extends unknown[]>(
  load: () => Promise<(...args: A) => unknown>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const action = await load();
    await action(...args);
  };
}
