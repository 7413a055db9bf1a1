/*
 * The offline extractor: a deterministic, LLM-free stand-in for step extraction and DAG building.
 * Pure. It reads the numbered lines of a trace and:
 *   - starts a new component at each paragraph and at each cue sentence ("Wait", "Alternatively",
 *     "Let me verify/check", "Case 1", "1.", "First/Next/Finally", "Another ...", "So the answer"),
 *   - takes the cue sentence as the plan and the rest of the component as its execution,
 *   - links a component to the earlier components whose results (right-hand sides of "=",
 *     numbers after "gives"/"is") it reuses; "Wait" revisits the previous component; components with
 *     no detected dependency hang off the opening component (the problem set-up).
 * Output has the documented shapes (components with line ranges, DAG parent map).
 */
import type { Component, Dag } from '../packing';
import { linesText, type TraceLine } from './lines';

export type CueKind =
  'setup' | 'branch' | 'case' | 'verify' | 'revise' | 'conclude' | 'sequence' | 'continue';

const CUES: [CueKind, RegExp][] = [
  [
    'verify',
    /^((wait|hmm|okay|ok|now|but),?\s+)?(let me|let's|i should|i'll|i will|we should)?\s*(verify|check|double[- ]check|confirm|make sure)\b/i,
  ],
  // "Hmm" and "Oh" are too common in R1 traces to open a step; "Wait" and "Actually" revisit the step before.
  ['revise', /^(wait|hold on|actually)\b/i],
  ['verify', /^(to verify|verification|checking)\b/i],
  [
    'branch',
    /^(alternatively|another (idea|approach|way|option|possibility)|or maybe|what about|what if|maybe try|let me try|let's try|let me consider|let's consider|suppose)\b/i,
  ],
  ['case', /^(case\s+\d+|subcase\s+\d+|\(\d+\)|\d+[.)]\s)/i],
  ['sequence', /^(first|firstly|second|secondly|third|next|then,? let me|finally|lastly)\b,?/i],
  ['conclude', /^(so|therefore|thus|hence),? (the (final )?answer|the result|we get|the equation)/i],
];

export function cueOf(sentence: string): CueKind | undefined {
  const s = sentence.trim().replace(/^[*_#>\s-]+/, '');
  for (const [kind, re] of CUES) if (re.test(s)) return kind;
  return undefined;
}

export interface OfflineExtraction {
  components: Component[];
  dag: Dag;
  /** The cue that opened each component (for reports and debugging). */
  cues: Record<string, CueKind>;
}

interface Draft {
  start: number;
  end: number;
  cue: CueKind;
}

const RESULT_RE = /(?<![<>!=])=\s*(-?\d+(?:\.\d+)?)(?=\s*(?:[.,;:)\]$]|$|\b(?:and|which|so|then|is|but)\b))/g;

/** Numbers introduced as results: right-hand sides of "=" and values after "gives"/"get". */
function resultsOf(text: string): Set<string> {
  const out = new Set<string>();
  // "= 42" ending a statement; not "<=" or ">=", and not "= 3 - x" (an expression).
  for (const m of text.matchAll(RESULT_RE)) out.add(m[1]!);
  for (const m of text.matchAll(/\b(?:gives|get)\s+(-?\d+(?:\.\d+)?)\b/g)) out.add(m[1]!);
  return out;
}

/**
 * Numbers a component takes from elsewhere: those in its plan sentence, and those on the left of
 * "=" in its execution before the component has produced them itself (a recomputation is not reuse).
 */
function inputsOf(plan: string, execution: string): Set<string> {
  const out = new Set<string>();
  const local = new Set<string>();
  for (const m of plan.matchAll(/-?\d+(?:\.\d+)?/g)) out.add(m[0]);
  for (const line of execution.split('\n')) {
    const eq = line.search(/(?<![<>!=])=(?!=)/);
    if (eq < 0) continue;
    for (const m of line.slice(0, eq).matchAll(/-?\d+(?:\.\d+)?/g)) if (!local.has(m[0])) out.add(m[0]);
    for (const r of resultsOf(line)) local.add(r);
  }
  return out;
}

/** An imperative, self-contained instruction from a plan sentence ("Alternatively, let me try X" -> "Try X"). */
export function instructionFrom(plan: string, kind: CueKind): string {
  let s = plan
    .trim()
    .replace(
      /^(wait|hmm|hold on|actually|oh|alternatively|another idea|or maybe|so|then|now|next|first|finally)\b[,:]?\s*/i,
      '',
    )
    .replace(/^(let me|let's|i should|i'll|i will|i need to|we need to|maybe)\s+/i, '')
    .replace(/^try:\s*/i, 'try ');
  if (!s) s = plan.trim();
  s = s.charAt(0).toUpperCase() + s.slice(1);
  if (kind === 'verify' && !/^(verify|check|double|confirm|make sure)/i.test(s)) s = `Verify: ${s}`;
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Splits numbered lines into components and builds their DAG. Deterministic. */
export function extractOffline(lines: TraceLine[], question = ''): OfflineExtraction {
  const drafts: Draft[] = [];
  lines.forEach((line, i) => {
    const cue = cueOf(line.text);
    const prev = lines[i - 1];
    const newParagraph = !prev || prev.paragraph !== line.paragraph;
    if (i === 0) drafts.push({ start: line.n, end: line.n, cue: 'setup' });
    else if (newParagraph || (cue && cue !== 'sequence' && cue !== 'conclude')) {
      drafts.push({ start: line.n, end: line.n, cue: cue ?? 'continue' });
    } else if (cue === 'conclude' && !newParagraph) {
      drafts[drafts.length - 1]!.end = line.n;
    } else drafts[drafts.length - 1]!.end = line.n;
  });

  const given = new Set((question.match(/-?\d+(?:\.\d+)?/g) ?? []).map(String));
  const components: Component[] = [];
  const dag: Dag = {};
  const cues: Record<string, CueKind> = {};
  const results: Set<string>[] = [];
  drafts.forEach((d, i) => {
    const id = i + 1;
    const planRange: [number, number] = [d.start, d.start];
    const execRange: [number, number] | null = d.end > d.start ? [d.start + 1, d.end] : null;
    const plan = linesText(lines, planRange);
    const execution = execRange ? linesText(lines, execRange) : null;
    components.push({
      id,
      description: `${d.cue} step at line ${d.start}`,
      plan,
      prompt: execution ? instructionFrom(plan, d.cue) : null,
      execution,
      planLines: planRange,
      executionLines: execRange,
    });
    cues[String(id)] = d.cue;
    const inputs = inputsOf(plan, execution ?? '');
    const parents = new Set<number>();
    for (let j = 0; j < i; j++) {
      for (const r of results[j]!) {
        if (!given.has(r) && inputs.has(r)) {
          parents.add(j + 1);
          break;
        }
      }
    }
    if (d.cue === 'revise' && i > 0) parents.add(i);
    if ((d.cue === 'verify' || d.cue === 'conclude' || d.cue === 'continue') && parents.size === 0 && i > 0) {
      parents.add(i);
    }
    if (parents.size === 0 && i > 0) parents.add(1);
    dag[String(id)] = [...parents].sort((a, b) => a - b);
    results.push(resultsOf(execution ?? plan));
  });
  return { components, dag, cues };
}
