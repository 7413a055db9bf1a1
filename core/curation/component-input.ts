/*
 * Extracted components as files and extractors really write them (the JSON shape of
 * docs/sprint-format.md#step-extraction). Pure. Accepted: ids as integers or strings; an absent plan (`plan` null or "None",
 * `planLines` null, missing or "Lines not found"); ranges as [a, b] or as text ("Lines 3-5",
 * "Line 7"); comments with their line ranges. Anything else is a ComponentInputError naming the
 * file, the component and the field.
 */
import type { Component, LineRange } from '../packing';
import { componentId } from '../packing/dag-input';
import { parseLineRange } from './released-separation';

export class ComponentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComponentInputError';
  }
}

const isNone = (v: unknown) =>
  v === null || v === undefined || (typeof v === 'string' && /^\s*none\s*$/i.test(v));

function rangeOf(v: unknown, what: string): LineRange | null {
  if (isNone(v)) return null;
  if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))) {
    const [a, b] = v as [number, number];
    if (a > b) throw new ComponentInputError(`${what} [${a}, ${b}] runs backwards`);
    return [a, b];
  }
  if (typeof v === 'string') {
    const r = parseLineRange(v);
    if (!r.problem) return r.range;
  }
  throw new ComponentInputError(`${what} must be [a, b], "Lines a-b" or null (got ${JSON.stringify(v)})`);
}

function textOf(v: unknown, what: string): string | null {
  if (isNone(v)) return null;
  if (typeof v === 'string') return v;
  throw new ComponentInputError(`${what} must be a string or null (got ${JSON.stringify(v)})`);
}

/** Components from parsed JSON (an array, or `{ components: [...] }`). */
export function parseComponentsJson(raw: unknown, where = 'components'): Component[] {
  const list = Array.isArray(raw) ? raw : (raw as { components?: unknown } | null)?.components;
  if (!Array.isArray(list)) throw new ComponentInputError(`${where}: expected an array of components`);
  return list.map((item: unknown, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new ComponentInputError(`${where}: component ${i + 1} is not an object`);
    const c = item as Record<string, unknown>;
    const id = componentId(c.id);
    if (id === undefined)
      throw new ComponentInputError(
        `${where}: component ${i + 1} has no integer "id" (got ${JSON.stringify(c.id)})`,
      );
    const at = `${where}: component ${id}`;
    const comment = textOf(c.comment, `${at} "comment"`);
    const commentLines = rangeOf(c.commentLines, `${at} "commentLines"`);
    return {
      id,
      ...(typeof c.description === 'string' ? { description: c.description } : {}),
      plan: textOf(c.plan, `${at} "plan"`),
      prompt: textOf(c.prompt, `${at} "prompt"`),
      execution: textOf(c.execution, `${at} "execution"`),
      planLines: rangeOf(c.planLines, `${at} "planLines"`),
      executionLines: rangeOf(c.executionLines, `${at} "executionLines"`),
      ...(comment !== null ? { comment, commentLines } : {}),
    };
  });
}
