/*
 * Reading the released SPRINT pipeline's component separations (its GPT-4o extraction output,
 * `component_separation_<i>.txt`). Pure. The format, per component:
 *
 *   ### Component 3 (Lines 23-29)
 *   - **Description:** Solving the equation.
 *   - **Plan:** Line 23                       (or "Lines 1-17", "Lines not found", "None")
 *   - **Prompt:** Solve the equation ...
 *   - **Execution:** Lines 24-29
 *   - **Comment:** Lines not found            (or "Line 34", "Lines 55-56")
 *
 * Ranges name lines of the trace numbered by core/curation/released-lines.ts. A range that says
 * no lines ("not found", "None", empty) means none; a range text that is neither is reported and
 * read as none, as the released reader did. Comments: the released reader never captured them
 * (its samples have none); `keepComments` keeps them, to be rendered as observations.
 */
import type { Component, LineRange } from '../packing';
import { joinReleasedLines, LineRangeError } from './released-lines';

export class SeparationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeparationError';
  }
}

export interface ParsedRange {
  range: LineRange | null;
  /** Set when the text was not a range and not an explicit "no lines". */
  problem?: string;
}

const NO_LINES = /^(?:(?:lines?\s*)?(?:not\s+found|none|n\/a|-)?)\.?$/i;

/** "Line 5", "Lines 3-7", "Lines 25 -- 28" -> a range; "Lines not found" / "None" -> null. */
export function parseLineRange(text: string): ParsedRange {
  const t = text.trim().replace(/\*+/g, '').trim();
  if (NO_LINES.test(t)) return { range: null };
  const body = t.replace(/^lines?\b/i, '').trim();
  const pair = /^(\d+)\s*(?:-+|–|—|to)\s*(\d+)\.?$/i.exec(body);
  if (pair) return { range: [Number(pair[1]), Number(pair[2])] };
  const single = /^(\d+)\.?$/.exec(body);
  if (single) return { range: [Number(single[1]), Number(single[1])] };
  return { range: null, problem: `"${text.trim()}" is not a line range; read as no lines` };
}

export interface SeparationComponent {
  id: number;
  description: string;
  plan: ParsedRange;
  prompt: string;
  execution: ParsedRange;
  comment: ParsedRange;
}

const FIELDS = ['Description', 'Plan', 'Prompt', 'Execution', 'Comment'] as const;

/** Parses the markdown of one separation file; a component missing a field is an error naming it. */
export function parseSeparation(
  markdown: string,
  where = 'separation',
): {
  components: SeparationComponent[];
  problems: string[];
} {
  const text = markdown.replace(/\r\n?/g, '\n');
  const blocks = text
    .split(/^(?=#{2,4}\s*Component\s+\d+)/m)
    .filter((b) => /^#{2,4}\s*Component\s+\d+/.test(b));
  if (!blocks.length) throw new SeparationError(`${where}: no "### Component n" sections`);
  const problems: string[] = [];
  const byId = new Map<number, SeparationComponent>();
  for (const block of blocks) {
    const id = Number(/^#{2,4}\s*Component\s+(\d+)/.exec(block)![1]);
    const values: Partial<Record<(typeof FIELDS)[number], string>> = {};
    for (const field of FIELDS) {
      const m = new RegExp(`^\\s*-\\s*\\*\\*${field}:?\\*\\*:?[ \\t]*(.*)$`, 'm').exec(block);
      if (!m) throw new SeparationError(`${where}: component ${id} has no "- **${field}:**" line`);
      values[field] = m[1]!.trim();
    }
    const read = (field: 'Plan' | 'Execution' | 'Comment'): ParsedRange => {
      const r = parseLineRange(values[field]!);
      if (r.problem) problems.push(`component ${id} ${field.toLowerCase()}: ${r.problem}`);
      return r;
    };
    if (byId.has(id)) problems.push(`component ${id} appears twice; the later one is used`);
    byId.set(id, {
      id,
      description: values.Description!,
      plan: read('Plan'),
      prompt: values.Prompt!,
      execution: read('Execution'),
      comment: read('Comment'),
    });
  }
  return { components: [...byId.values()], problems };
}

/** Components with their texts from the trace's released lines; a range outside the trace is an error naming the component. */
export function separationComponents(
  parsed: SeparationComponent[],
  lines: string[],
  opts: { keepComments: boolean; where?: string },
): Component[] {
  const where = opts.where ?? 'separation';
  const text = (id: number, field: string, r: ParsedRange): string | null => {
    if (!r.range) return null;
    try {
      return joinReleasedLines(lines, r.range);
    } catch (err) {
      if (err instanceof LineRangeError)
        throw new SeparationError(`${where}: component ${id} ${field}: ${err.message}`);
      throw err;
    }
  };
  return parsed.map((c) => {
    const comment = opts.keepComments ? text(c.id, 'comment', c.comment) : null;
    return {
      id: c.id,
      description: c.description,
      plan: text(c.id, 'plan', c.plan),
      prompt: c.prompt,
      execution: text(c.id, 'execution', c.execution),
      planLines: c.plan.range,
      executionLines: c.execution.range,
      ...(comment !== null ? { comment, commentLines: c.comment.range } : {}),
    };
  });
}
