import { parsePlan, renderPlan, type Plan } from './plan';

/*
 * Execution blocks, the final answer, and whole trajectories (the body of `<think>`): plans,
 * executions and the final answer of a session, rendered and parsed back.
 */

export const NO_PROMPT = 'No prompt to execute.';

/** One planner round: its plan and the executions of its prompts, in prompt order. */
export interface Round {
  plan: Plan;
  /** executions[k-1] answers prompt p.k. */
  executions: string[];
}

export interface Trajectory {
  rounds: Round[];
  /** The `<Final_answer>` content, or null when the trajectory has none (cut, unfinished). */
  final: string | null;
}

export interface ParsedTrajectory extends Trajectory {
  /** The `<Question>` content when the text holds one. */
  question?: string;
  problems: string[];
}

export function renderExecution(phase: number, k: number, text: string): string {
  return `<execution_${phase}.${k}>\n${text}\n</execution_${phase}.${k}>`;
}

/**
 * The `<Execution_p>` block as pieces: tags as strings, each execution as given (a string, or a
 * text held elsewhere that the caller places as is, e.g. a stored session text). Joined, the
 * strings are renderExecutionBlock: one rendering for both.
 */
export function renderExecutionBlockParts<T>(
  phase: number,
  executions: readonly (string | T)[],
): (string | T)[] {
  if (!executions.length) return [`<Execution_${phase}>\n${NO_PROMPT}\n</Execution_${phase}>`];
  const parts: (string | T)[] = [`<Execution_${phase}>\n`];
  executions.forEach((text, i) => {
    parts.push(
      `${i > 0 ? '\n\n' : ''}<execution_${phase}.${i + 1}>\n`,
      text,
      `\n</execution_${phase}.${i + 1}>`,
    );
  });
  parts.push(`\n</Execution_${phase}>`);
  return parts;
}

/** The `<Execution_p>` block; `No prompt to execute.` when the plan had no prompt. */
export function renderExecutionBlock(phase: number, executions: readonly string[]): string {
  return renderExecutionBlockParts<string>(phase, executions).join('');
}

export function renderFinalAnswer(text: string): string {
  return `<Final_answer>\n${text}\n</Final_answer>`;
}

/** A plan and its execution block as pieces (see renderExecutionBlockParts). */
export function renderRoundParts<T>(round: {
  plan: Plan;
  executions: readonly (string | T)[];
}): (string | T)[] {
  return [
    `${renderPlan(round.plan)}\n\n`,
    ...renderExecutionBlockParts<T>(round.plan.phase, round.executions),
  ];
}

/** A plan and its execution block, as it appears in the history. */
export function renderRound(round: Round): string {
  return renderRoundParts<string>(round).join('');
}

/** The whole `<think>` body: every round, then the final answer when there is one. */
export function renderTrajectory(t: Trajectory): string {
  const parts = t.rounds.map(renderRound);
  if (t.final !== null) parts.push(renderFinalAnswer(t.final));
  return parts.join('\n\n');
}

/**
 * Cleans one executor reply (the text generated after the opened `<execution_p.k>` tag): removes
 * the closing tag or a partial one (stop strings may or may not be included), an echoed opening tag
 * and stray `<think>` tags, and trims.
 */
export function parseExecutionOutput(raw: string): { text: string; problems: string[] } {
  const problems: string[] = [];
  let text = raw;
  const close = /<\/execution_/.exec(text);
  if (close) {
    const after = text.slice(close.index).replace(/^<\/execution_[^>\s]*>?/, '');
    if (after.trim()) problems.push('text after </execution_ ignored');
    text = text.slice(0, close.index);
  } else {
    text = text.replace(/<(\/(e(x(e(c(u(t(i(o(n(_[\d.]*)?)?)?)?)?)?)?)?)?)?)?$/, '');
  }
  const echoed = /^\s*<execution_[^>\s]*>/.exec(text);
  if (echoed) {
    problems.push('executor repeated its opening tag');
    text = text.slice(echoed[0].length);
  }
  const noThink = text.replace(/<\/?think>/g, '');
  if (noThink !== text) problems.push('stray <think> tag removed');
  return { text: noThink.trim(), problems };
}

/** The last `<Final_answer>` content of a text, or null (an unclosed last block runs to the end). */
export function extractFinalAnswer(text: string): string | null {
  const open = text.lastIndexOf('<Final_answer>');
  if (open < 0) return null;
  const rest = text.slice(open + '<Final_answer>'.length);
  const close = rest.indexOf('</Final_answer>');
  return (close < 0 ? rest.replace(/<\/think>[\s\S]*$/, '') : rest.slice(0, close)).trim();
}

function parseExecutions(block: string, phase: number, promptCount: number, problems: string[]): string[] {
  const found: { k: number; label: string; text: string }[] = [];
  const open = /<execution_([^>\s]*)>/g;
  const opens = [...block.matchAll(open)];
  opens.forEach((m, i) => {
    const start = m.index + m[0].length;
    const limit = opens[i + 1]?.index ?? block.length;
    const segment = block.slice(start, limit);
    const close = /<\/execution_[^>\s]*>/.exec(segment);
    if (!close) problems.push(`execution ${m[1]} not closed`);
    const text = (close ? segment.slice(0, close.index) : segment).trim();
    const k = Number((m[1] ?? '').split('.')[1]);
    found.push({ k, label: m[1] ?? '', text });
  });
  if (!opens.length) {
    if (promptCount > 0) problems.push(`phase ${phase}: ${promptCount} prompt(s) but no execution`);
    else if (block.trim() && block.trim() !== NO_PROMPT)
      problems.push(`phase ${phase}: unexpected text in an empty execution block`);
    return [];
  }
  const out: string[] = new Array<string>(promptCount).fill('');
  const extra: string[] = [];
  found.forEach((f, i) => {
    const k = Number.isInteger(f.k) && f.k >= 1 && f.k <= promptCount && !out[f.k - 1] ? f.k : undefined;
    if (k === undefined) {
      problems.push(`execution ${f.label} does not match a prompt of phase ${phase}: placed by order`);
      extra.push(f.text);
    } else {
      if (f.label !== `${phase}.${k}`) problems.push(`execution ${f.label} taken as ${phase}.${k}`);
      out[k - 1] = f.text;
    }
    void i;
  });
  for (const text of extra) {
    const hole = out.findIndex((x) => !x);
    if (hole >= 0) out[hole] = text;
    else out.push(text);
  }
  if (out.some((x) => !x)) problems.push(`phase ${phase}: some prompts have no execution`);
  return out;
}

/**
 * Parses a whole SPRINT text (optionally with `<Question>` and the `<think>` wrapper) into rounds and
 * the final answer. Phases are renumbered 1..n in order; repairs are listed in `problems`.
 */
export function parseTrajectory(text: string): ParsedTrajectory {
  const problems: string[] = [];
  let question: string | undefined;
  const q = /<Question>([\s\S]*?)<\/Question>/.exec(text);
  let body = text;
  if (q) {
    question = (q[1] ?? '').trim();
    body = text.slice(q.index + q[0].length);
  }
  const think = body.indexOf('<think>');
  if (think >= 0) body = body.slice(think + '<think>'.length);
  const endThink = body.lastIndexOf('</think>');
  if (endThink >= 0) body = body.slice(0, endThink);

  const finalAt = body.indexOf('<Final_answer>');
  const final = finalAt >= 0 ? extractFinalAnswer(body.slice(finalAt)) : null;
  const roundsText = finalAt >= 0 ? body.slice(0, finalAt) : body;

  const opens = [...roundsText.matchAll(/<Plan_(\d*)>/g)];
  if (!opens.length && roundsText.trim()) problems.push('text without a <Plan_ tag ignored');
  else if (opens.length && roundsText.slice(0, opens[0]!.index).trim())
    problems.push('text before the first plan ignored');
  const rounds: Round[] = opens.map((m, i) => {
    const phase = i + 1;
    if (Number(m[1]) !== phase) problems.push(`<Plan_${m[1]}> taken as phase ${phase}`);
    const segment = roundsText.slice(m.index, opens[i + 1]?.index ?? roundsText.length);
    const execAt = segment.search(/<Execution_\d*>/);
    const planPart = execAt >= 0 ? segment.slice(0, execAt) : segment;
    const plan = parsePlan(planPart, phase);
    if (!/<\/Plan_\d*>/.test(planPart)) plan.problems.push(`plan ${phase} not closed`);
    // A well-formed plan was closed; parsePlan does not flag the missing close (stop strings trim it).
    let executions: string[] = [];
    if (execAt < 0) {
      if (plan.prompts.length) problems.push(`phase ${phase}: no execution block`);
    } else {
      let block = segment.slice(execAt).replace(/^<Execution_\d*>/, '');
      const close = /<\/Execution_\d*>/.exec(block);
      if (close) block = block.slice(0, close.index);
      else problems.push(`execution block ${phase} not closed`);
      executions = parseExecutions(block, phase, plan.prompts.length, problems);
    }
    return { plan, executions };
  });
  const result: ParsedTrajectory = { rounds, final, problems };
  if (question !== undefined) result.question = question;
  return result;
}
