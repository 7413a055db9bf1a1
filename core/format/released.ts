import type { Plan, PlanPrompt } from './plan';

/*
 * The released SPRINT loop's reply handling (docs/sprint-format.md#released-inference-loop), restated from the spec: the
 * five stop strings, how a planner reply becomes a plan or the answer (or a retry), how an
 * executor reply is cleaned, and the reorder rewrite of the plan each executor sees. Pure. Tag
 * patterns stop at the end of a line, as the released ones do, and are matched case-insensitively
 * where the released loop is.
 */

/** Stop strings of both roles in the released loop, in its order. */
export const RELEASED_STOPS: readonly string[] = [
  '</Execution_',
  '</Plan_',
  '</Final_answer>',
  '</think>',
  '</execution_',
];

const THINK_TAG = /<\/?think>/g;
const FINAL_TAG = /<\/?Final_answer[^\n]*?>/gi;
const PLAN_TAG = /<\/?Plan_[^\n]*?>/gi;
const EXECUTION_TAG = /<\/?execution[^\n]*?>/gi;
const PROMPT_OPEN = /<prompt[^\n]*?>/gi;
const PROMPT_CLOSE = /<\/prompt[^\n]*?>/gi;
/** A whole prompt block, across lines (the released executor cleaning matches across lines). */
const PROMPT_BLOCK = /<prompt[\s\S]*?>[\s\S]*?<\/prompt[\s\S]*?>/g;

/** How the released loop reads one planner reply: a plan, the answer, or another try. */
export type ReleasedPlannerReply = { kind: 'retry'; reason: string } | { kind: 'plan'; plan: Plan };

/** Numbers every prompt tag p.1, p.2, ... in order of appearance (openings and closings counted apart). */
function renumberPrompts(text: string, phase: number): string {
  let opens = 0;
  let closes = 0;
  return text
    .replace(PROMPT_OPEN, () => `<prompt_${phase}.${++opens}>`)
    .replace(PROMPT_CLOSE, () => `</prompt_${phase}.${++closes}>`);
}

/** The prompts of a renumbered body: each opening's text up to its closing (or the next opening, or the end). */
function promptsOf(body: string, phase: number): PlanPrompt[] {
  const out: PlanPrompt[] = [];
  for (let k = 1; ; k++) {
    const open = `<prompt_${phase}.${k}>`;
    const at = body.indexOf(open);
    if (at < 0) return out;
    const rest = body.slice(at + open.length);
    const ends = [rest.indexOf(`</prompt_${phase}.${k}>`), rest.indexOf(`<prompt_${phase}.${k + 1}>`)];
    const end = Math.min(...ends.map((e) => (e < 0 ? rest.length : e)));
    out.push({ index: k, text: rest.slice(0, end).trim() });
  }
}

/** Drops the tags (not the text) of prompts beyond the cap; the cap is recorded as a problem. */
function capPrompts(body: string, phase: number, count: number, cap: number): string {
  let out = body;
  for (let k = cap + 1; k <= count; k++)
    out = out.split(`<prompt_${phase}.${k}>`).join('').split(`</prompt_${phase}.${k}>`).join('');
  return out;
}

/**
 * One planner reply as the released loop reads it. `<think>` tags are dropped; a reply holding a
 * Final_answer tag is the answer (tags stripped); one holding a Plan tag is plan `phase` (tags
 * stripped, prompts renumbered); any other reply is retried, except on the last try, where (with
 * Execution tags stripped) it is the answer when it holds `\boxed`, else a plan.
 */
export function releasedPlannerReply(
  raw: string,
  phase: number,
  lastTry: boolean,
  maxPrompts?: number,
): ReleasedPlannerReply {
  const problems: string[] = [];
  const text = raw.replace(THINK_TAG, '');
  if (text !== raw) problems.push('stray <think> tag removed');
  let final: boolean;
  let body: string;
  if (/<Final_answer>|<\/Final_answer>/.test(text)) {
    final = true;
    body = text.replace(FINAL_TAG, '').trim();
  } else if (/<Plan_\d+>|<\/Plan_\d+>/.test(text)) {
    final = false;
    body = text.replace(PLAN_TAG, '').trim();
  } else if (lastTry) {
    body = text.replace(EXECUTION_TAG, '').trim();
    final = body.includes('\\boxed');
    problems.push(
      final
        ? 'no <Plan_ or <Final_answer> tag on the last try: taken as the answer (it holds \\boxed)'
        : 'no <Plan_ or <Final_answer> tag on the last try: taken as the plan',
    );
  } else {
    return { kind: 'retry', reason: 'no <Plan_ or <Final_answer> tag: retried' };
  }
  body = renumberPrompts(body, phase).trim();
  if (final) return { kind: 'plan', plan: { phase, text: '', prompts: [], final: body, problems } };
  let prompts = promptsOf(body, phase);
  if (maxPrompts !== undefined && prompts.length > maxPrompts) {
    problems.push(
      `${prompts.length} prompts, over the fan-out cap of ${maxPrompts}: prompts ${phase}.${maxPrompts + 1}` +
        `..${phase}.${prompts.length} kept as plain text`,
    );
    body = capPrompts(body, phase, prompts.length, maxPrompts).trim();
    prompts = prompts.slice(0, maxPrompts);
  }
  return { kind: 'plan', plan: { phase, text: body, prompts, problems } };
}

/** The released loop's early stop: a plan that holds `**Final Answer` and `\boxed` ends the session. */
export function holdsFinalAnswerMarker(planText: string): boolean {
  return planText.includes('**Final Answer') && planText.includes('\\boxed');
}

/**
 * One executor reply cleaned as the released loop does: prompt blocks it wrote are removed,
 * then `<think>` tags and any (E|e)xecution tags; the rest, trimmed, is the execution (the caller
 * wraps it with its original label p.k).
 */
export function releasedExecutionOutput(raw: string): { text: string; problems: string[] } {
  const problems: string[] = [];
  let text = raw;
  if (/<prompt/.test(text)) {
    const without = text.replace(PROMPT_BLOCK, '');
    if (without !== text) problems.push('prompt block written by the executor removed');
    text = without.trim();
  }
  const cleaned = text.replace(THINK_TAG, '').replace(EXECUTION_TAG, '');
  if (cleaned !== text) problems.push('think/execution tags removed');
  return { text: cleaned.trim(), problems };
}

/**
 * The plan as the executor of prompt p.k sees it under the reorder strategy: the plan body split
 * after each `</prompt_...>` into trimmed segments (blank ones dropped); segments before the
 * executor's keep their text with their prompt blocks removed, its own is renumbered p.1, the
 * later ones p.2, p.3, ... in order; joined by a blank line.
 */
export function reorderPlanFor(plan: Pick<Plan, 'phase' | 'text'>, k: number): string {
  const segments = plan.text
    .replace(/<\/prompt[^\n]*?>/g, (close) => `${close}\u0000`)
    .split('\u0000')
    .filter((s) => s !== '' && s !== ' ')
    .map((s) => s.trim());
  const own = segments.map((s, i) => (/<prompt_\d+\.\d+>/.test(s) ? i : -1)).filter((i) => i >= 0)[k - 1];
  if (own === undefined) return plan.text;
  const renumber = (s: string, n: number) =>
    s
      .replace(/<prompt_\d+\.\d+>/g, `<prompt_${plan.phase}.${n}>`)
      .replace(/<\/prompt_\d+\.\d+>/g, `</prompt_${plan.phase}.${n}>`);
  return segments
    .map((s, i) => (i < own ? s.replace(PROMPT_BLOCK, '').trim() : renumber(s, i - own + 1)))
    .join('\n\n');
}
