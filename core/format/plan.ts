/*
 * The SPRINT tag format (docs/sprint-format.md#tag-format): parse real planner output into a typed plan and render
 * it back. Pure: no I/O, safe to import from workflows.
 *
 * Parsing rules for broken model output (each one recorded in `problems`, never thrown):
 * - an empty reply is a plan with no prompts;
 * - stray `<think>` / `</think>` tags are removed;
 * - no `<Plan_p>` tag: the whole text (before any `<Final_answer>`) is the plan body;
 * - a `<Plan_q>` with q != p: taken as plan p;
 * - body ends at the first `</Plan_` (complete or not) or, when missing (stop string trimmed or a
 *   length cut), at the end of the text; text after the closing tag is ignored; an `<Execution_`
 *   written by the planner itself ends the body too;
 * - prompts are renumbered p.1..p.n in order of appearance (out-of-order, duplicated, missing or
 *   wrongly phased numbers are recorded); an unclosed prompt takes the text up to the next prompt
 *   opening or the end; an empty prompt is dropped; stray closing prompt tags are removed;
 * - more prompts than `maxPrompts`: the first `maxPrompts` are kept, the rest lose their tags but
 *   keep their text in the plan body (the planner's reasoning stays visible to later rounds);
 * - `<Final_answer>`: what follows, up to `</Final_answer>` or the end, is the final answer.
 */

export interface PlanPrompt {
  /** 1-based index k of prompt p.k after renumbering. */
  index: number;
  /** The instruction, trimmed. */
  text: string;
}

export interface Plan {
  phase: number;
  /** The plan body (between `<Plan_p>` and `</Plan_p>`), trimmed, with canonically numbered prompt tags. */
  text: string;
  prompts: PlanPrompt[];
  /** The final answer when this planner turn wrote `<Final_answer>`. */
  final?: string;
  /** What the parser had to repair, in words. Empty for well-formed input. */
  problems: string[];
}

export interface ParsePlanOptions {
  /** Fan-out cap: prompts beyond this many keep their text but lose their tags. */
  maxPrompts?: number;
}

const FINAL_OPEN = '<Final_answer>';
const FINAL_CLOSE = '</Final_answer>';

export function promptOpenTag(phase: number, k: number): string {
  return `<prompt_${phase}.${k}>`;
}
export function promptCloseTag(phase: number, k: number): string {
  return `</prompt_${phase}.${k}>`;
}

/** Removes stray `<think>`/`</think>` tags; returns the text and whether any was found. */
function stripThink(text: string): { text: string; found: boolean } {
  const out = text.replace(/<\/?think>/g, '');
  return { text: out, found: out.length !== text.length };
}

/** Splits off a `<Final_answer>` block. */
function splitFinal(text: string, problems: string[]): { before: string; final?: string } {
  const open = text.indexOf(FINAL_OPEN);
  if (open < 0) return { before: text };
  const rest = text.slice(open + FINAL_OPEN.length);
  const close = rest.indexOf(FINAL_CLOSE);
  if (close < 0) {
    // The stop string `</Final_answer>` is trimmed by engines; a partial close tag may remain.
    return {
      before: text.slice(0, open),
      final: rest.replace(/<\/(F(i(n(a(l(_(a(n(s(w(e(r)?)?)?)?)?)?)?)?)?)?)?)?$/, '').trim(),
    };
  }
  const after = rest.slice(close + FINAL_CLOSE.length);
  if (after.trim()) problems.push('text after </Final_answer> ignored');
  return { before: text.slice(0, open), final: rest.slice(0, close).trim() };
}

interface RawPrompt {
  label: string;
  inner: string;
  closed: boolean;
  start: number;
  end: number;
}

const PROMPT_OPEN = /<prompt_([^>\s]*)>/g;
const PROMPT_CLOSE = /<\/prompt_[^>\s]*>/g;

function findPrompts(body: string): RawPrompt[] {
  const opens: { label: string; start: number; innerStart: number }[] = [];
  for (const m of body.matchAll(PROMPT_OPEN)) {
    opens.push({ label: m[1] ?? '', start: m.index, innerStart: m.index + m[0].length });
  }
  const out: RawPrompt[] = [];
  opens.forEach((o, i) => {
    const limit = opens[i + 1]?.start ?? body.length;
    const segment = body.slice(o.innerStart, limit);
    PROMPT_CLOSE.lastIndex = 0;
    const close = PROMPT_CLOSE.exec(segment);
    if (close) {
      out.push({
        label: o.label,
        inner: segment.slice(0, close.index),
        closed: true,
        start: o.start,
        end: o.innerStart + close.index + close[0].length,
      });
    } else {
      out.push({ label: o.label, inner: segment, closed: false, start: o.start, end: limit });
    }
  });
  return out;
}

/** Rewrites the prompts of a plan body with canonical numbers; returns the new body and the prompts. */
function canonicalBody(
  body: string,
  phase: number,
  maxPrompts: number,
  problems: string[],
): { text: string; prompts: PlanPrompt[] } {
  const raw = findPrompts(body);
  const prompts: PlanPrompt[] = [];
  let out = '';
  let pos = 0;
  const removeStrayCloses = (s: string) => {
    const cleaned = s.replace(PROMPT_CLOSE, '');
    if (cleaned !== s) problems.push('stray </prompt_...> tag removed');
    return cleaned;
  };
  const seen = new Set<string>();
  for (const p of raw) {
    out += removeStrayCloses(body.slice(pos, p.start));
    pos = p.end;
    const inner = p.closed ? p.inner : p.inner.trimEnd();
    const trimmed = inner.trim();
    if (!p.closed)
      problems.push(`prompt ${p.label || '?'} not closed: took its text up to the next prompt or the end`);
    if (!trimmed) {
      problems.push(`empty prompt ${p.label || '?'} dropped`);
      continue;
    }
    if (prompts.length >= maxPrompts) {
      problems.push(`prompt ${p.label || '?'} beyond the fan-out cap of ${maxPrompts}: kept as plain text`);
      out += inner;
      if (!p.closed) out += body.slice(p.start + `<prompt_${p.label}>`.length + inner.length, p.end);
      continue;
    }
    const k = prompts.length + 1;
    const expected = `${phase}.${k}`;
    if (p.label !== expected || seen.has(p.label)) {
      const why = seen.has(p.label)
        ? 'duplicated'
        : /^\d+\.\d+$/.test(p.label)
          ? 'out of sequence'
          : 'malformed';
      problems.push(`prompt ${p.label || '?'} (${why}) renumbered ${expected}`);
    }
    seen.add(p.label);
    prompts.push({ index: k, text: trimmed });
    out += `${promptOpenTag(phase, k)}${inner}${promptCloseTag(phase, k)}`;
    if (!p.closed) out += body.slice(p.start + `<prompt_${p.label}>`.length + inner.length, p.end);
  }
  out += removeStrayCloses(body.slice(pos));
  return { text: out.trim(), prompts };
}

/**
 * Parses one planner turn (the completion that continues the assistant turn at the start of phase
 * `phase`). Never throws; see the module comment for the repair rules.
 */
export function parsePlan(raw: string, phase: number, options: ParsePlanOptions = {}): Plan {
  const problems: string[] = [];
  if (!raw.trim()) problems.push('empty reply: taken as a plan with no prompts');
  const maxPrompts = options.maxPrompts ?? Number.POSITIVE_INFINITY;
  const think = stripThink(raw);
  if (think.found) problems.push('stray <think> tag removed');
  const { before, final } = splitFinal(think.text, problems);

  let body: string;
  const open = /<Plan_(\d*)>/.exec(before);
  if (open) {
    const n = Number(open[1]);
    if (n !== phase) problems.push(`plan tagged <Plan_${open[1]}> taken as phase ${phase}`);
    if (before.slice(0, open.index).trim()) problems.push('text before <Plan_ tag ignored');
    body = before.slice(open.index + open[0].length);
  } else {
    body = before;
    if (before.trim() && final === undefined)
      problems.push(`no <Plan_${phase}> tag: the whole reply taken as the plan`);
    else if (before.trim())
      problems.push('text before <Final_answer> without a <Plan_ tag kept as plan text');
  }
  const close = /<\/Plan_/.exec(body);
  if (close) {
    const after = body.slice(close.index).replace(/^<\/Plan_\d*>?/, '');
    if (after.trim()) problems.push('text after </Plan_ ignored');
    body = body.slice(0, close.index);
  }
  const exec = /<Execution_/.exec(body);
  if (exec) {
    problems.push('planner wrote an <Execution_ block itself: cut there');
    body = body.slice(0, exec.index);
  }
  const { text, prompts } = canonicalBody(body, phase, maxPrompts, problems);
  const plan: Plan = { phase, text, prompts, problems };
  if (final !== undefined) plan.final = final;
  return plan;
}

/** `<Plan_p>\n...\n</Plan_p>`: the exact inverse of `parsePlan` for a well-formed plan. */
export function renderPlan(plan: Pick<Plan, 'phase' | 'text'>): string {
  return `<Plan_${plan.phase}>\n${plan.text}\n</Plan_${plan.phase}>`;
}

/** Builds a well-formed plan body from free-text pieces and prompts (in order); prompts numbered p.1.. */
export function buildPlan(phase: number, parts: (string | { prompt: string })[]): Plan {
  const prompts: PlanPrompt[] = [];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const k = prompts.length + 1;
      prompts.push({ index: k, text: part.prompt.trim() });
      return `${promptOpenTag(phase, k)} ${part.prompt.trim()} ${promptCloseTag(phase, k)}`;
    })
    .join('\n')
    .trim();
  return { phase, text, prompts, problems: [] };
}
