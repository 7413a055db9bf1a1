import type { z } from 'zod';

/*
 * Validation messages that name what is wrong and where, shared by the config loader and the
 * workflows that parse their settings (pure: safe in workflow code).
 */

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  const json = JSON.stringify(input);
  return json === undefined ? typeof input : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** One line per bad field: `path.to.field: what is wrong (got <value>)`. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${issue.expected}, got ${describeInput(issue.input)}`;
    case 'unrecognized_keys':
      return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return `${where}: ${issue.message}${'input' in issue && issue.input !== undefined ? ` (got ${describeInput(issue.input)})` : ''}`;
  }
}
