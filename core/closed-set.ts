/*
 * Closed sets of names (benchmarks, methods, executor strategies, launchers, ...) are each one
 * `as const` list; these helpers are how a name from outside the types (a config file, a CLI flag,
 * a workflow input, a data file) is checked against its list, with one wording for every refusal.
 */

/** A name that is not in its closed set: the message says which set, the name given, and the known ones. */
export class UnknownNameError extends Error {
  constructor(
    /** What the name names, and where it came from when that helps ("benchmark of the evaluation input"). */
    readonly what: string,
    readonly got: unknown,
    readonly known: readonly string[],
  ) {
    super(`unknown ${what} ${JSON.stringify(got) ?? String(got)}; known: ${known.join(', ')}`);
    this.name = 'UnknownNameError';
  }
}

/** Whether `value` is one of `known` (a type guard for data that has not been through a schema). */
export function isOneOf<T extends string>(value: unknown, known: readonly T[]): value is T {
  return typeof value === 'string' && (known as readonly string[]).includes(value);
}

/** `value` as a member of `known`, or an UnknownNameError naming `what` and the known names. */
export function oneOf<T extends string>(what: string, value: unknown, known: readonly T[]): T {
  if (isOneOf(value, known)) return value;
  throw new UnknownNameError(what, value, known);
}

/**
 * The `default` of a switch over a closed set: `value: never` makes a missing case a compile error,
 * and a value that got past the types (an untyped caller, old data) a clear error at run time.
 */
export function unknownName(what: string, value: never, known: readonly string[]): never {
  throw new UnknownNameError(what, value, known);
}
