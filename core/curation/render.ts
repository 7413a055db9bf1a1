/*
 * Curation-specific rendering (docs/sprint-format.md#sample-formatting): packed stages -> SPRINT trajectory,
 * training records (prompt/completion) and the sequential RFT control record. Pure. The tag
 * primitives (plans, execution blocks, final answer) are core/format's, so every sample written
 * here parses back with the session parser.
 */
import { buildPlan, renderSessionPrefix, renderTrajectory, type Round } from '../format';
import type { Stage } from '../packing';
import { DEFAULT_PROMPT_PREFIX_TEMPLATE, DEFAULT_SYSTEM_PROMPT } from '../format/prompts';

/** Default system instructions for SPRINT samples: the sessions' own, so the model is trained with what it will see. */
export const DEFAULT_SPRINT_SYSTEM = DEFAULT_SYSTEM_PROMPT;

/** Default system instructions for the sequential (RFT) control set. */
export const DEFAULT_RFT_SYSTEM =
  'You are a helpful assistant. Think step by step and put the final answer in \\boxed{}.';

/** Default layout of a training prompt (`{system}`, `{question}`): the sessions' own, so serving matches training. */
export const DEFAULT_PROMPT_TEMPLATE = DEFAULT_PROMPT_PREFIX_TEMPLATE;

/** The final answer from a solution: from the last sentence holding `\boxed` to the end. */
export function finalAnswerFrom(solution: string): string {
  const text = solution.trim();
  const at = text.lastIndexOf('\\boxed');
  if (at < 0) return text;
  // Back up to the start of the sentence holding \boxed: after the last ". ", "! ", "? " or newline.
  const before = text.slice(0, at);
  let start = 0;
  for (const m of before.matchAll(/[.!?](?=\s)|\n/g)) start = m.index + m[0].length;
  return text.slice(start).trim();
}

/** Rounds of the tag format from packed stages: one plan and one execution block per stage. */
export function stagesToRounds(stages: Stage[]): Round[] {
  return stages.map((stage) => {
    const parts: (string | { prompt: string })[] = [];
    stage.plan.forEach((part, i) => {
      if (i > 0) parts.push('-----');
      const text = [
        part.basedOn.length ? `Based on ${part.basedOn.map((l) => `execution_${l}`).join(', ')}:` : '',
        part.plan,
      ]
        .filter((t) => t.trim() !== '')
        .join('\n');
      if (text) parts.push(sanitize(text));
      if (part.label && part.prompt) parts.push({ prompt: sanitize(part.prompt) });
    });
    const plan = buildPlan(stage.index, parts);
    return { plan, executions: stage.executions.map((e) => sanitize(e.execution).trim()) };
  });
}

/** Tag-like text inside a trace would confuse the parser: neutralise SPRINT tags by spacing them. */
export function sanitize(text: string): string {
  return text.replace(/<(\/?)(Plan_|prompt_|Execution_|execution_|Final_answer|think|Question)/g, '< $1$2');
}

/** The `<think>` body of a sample: every stage, then the final answer from the solution. */
export function renderStagesTrajectory(stages: Stage[], solution: string): string {
  return renderTrajectory({ rounds: stagesToRounds(stages), final: sanitize(finalAnswerFrom(solution)) });
}

export interface TrainingRecord {
  id: string;
  prompt: string;
  completion: string;
}

export interface RenderOptions {
  system?: string;
  rftSystem?: string;
  promptTemplate?: string;
}

export function trainingPrompt(question: string, system: string, template = DEFAULT_PROMPT_TEMPLATE): string {
  return renderSessionPrefix(template, system, sanitize(question.trim()));
}

/** Training sample: prompt (system + `<Question>`), completion (`<think>\n` + trajectory + `\n</think>`). */
export function sprintRecord(
  id: string,
  question: string,
  stages: Stage[],
  solution: string,
  opts: RenderOptions = {},
): TrainingRecord {
  return {
    id,
    prompt: trainingPrompt(question, opts.system ?? DEFAULT_SPRINT_SYSTEM, opts.promptTemplate),
    completion: `<think>\n${renderStagesTrajectory(stages, solution)}\n</think>`,
  };
}

/** The same trace in plain sequential form (the RFT control set). */
export function rftRecord(
  id: string,
  question: string,
  trace: string,
  solution: string,
  opts: RenderOptions = {},
): TrainingRecord {
  return {
    id,
    prompt: trainingPrompt(question, opts.rftSystem ?? DEFAULT_RFT_SYSTEM, opts.promptTemplate),
    completion: `<think>\n${trace.trim()}\n</think>\n\n${solution.trim()}`,
  };
}

function seededHash(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Train/test split with a fixed seed: ids ordered by a seeded hash, the first round(n * testFraction)
 * go to test. Stable under input reordering; the same seed always gives the same split.
 */
export function splitTrainTest(
  ids: string[],
  seed: number,
  testFraction: number,
): { train: Set<string>; test: Set<string> } {
  const ordered = [...ids].sort(
    (a, b) => seededHash(a, seed) - seededHash(b, seed) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const n = Math.round(ids.length * testFraction);
  return { test: new Set(ordered.slice(0, n)), train: new Set(ordered.slice(n)) };
}
