/*
 * The released SPRINT trajectory layout, byte for byte (docs/sprint-format.md#released-trajectory-rendering). Pure. This is the default sample format (`curation.format: released`); the legacy
 * layout stays in render.ts.
 *
 * Texts are written as extracted: no tag escaping, because the released pipeline did none and
 * samples must match its artifacts exactly. An absent plan or prompt prints as `None`, as the
 * released renderer printed it (its extractor's "Lines not found" plan); the plan of a merged
 * short execution is never absent.
 */
import { renderSessionPrefix } from '../format';
import type { ReleasedPackResult } from '../packing/released';
import {
  DEFAULT_PROMPT_TEMPLATE,
  DEFAULT_SPRINT_SYSTEM,
  type RenderOptions,
  type TrainingRecord,
} from './render';
import { releasedFinalAnswer } from './released-lines';

const textOf = (value: string | null | undefined): string =>
  value === null || value === undefined ? 'None' : value;

function sameList(a: string[] | null, b: string[]): boolean {
  return a !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The stage blocks: `\n<Plan_p>\n...\n</Plan_p>\n\n<Execution_p>\n...\n</Execution_p>\n` per stage. */
export function renderReleasedStages(packed: Pick<ReleasedPackResult, 'stages' | 'nodes'>): string {
  let out = '';
  for (const stage of packed.stages) {
    let plans = '';
    let executions = '';
    let lastBasedOn: string[] | null = null;
    stage.componentIds.forEach((id, i) => {
      const node = packed.nodes.get(id)!;
      const labels = node.executingParents.map((p) => packed.nodes.get(p)!.label!);
      // A result's comment goes to the plans of the components that use it, never before the result.
      node.executingParents.forEach((p, j) => {
        const comment = packed.nodes.get(p)!.component.comment;
        if (comment !== null && comment !== undefined)
          plans += `Observation about execution_${labels[j]!}: ${comment}\n`;
      });
      if (i > 0 && id !== stage.componentIds[i - 1]! + 1) plans += '-----\n';
      plans += '\n';
      if (labels.length > 0 && !sameList(lastBasedOn, labels))
        plans += `Based on ${labels.map((l) => `execution_${l}`).join(', ')}:\n`;
      plans += `${textOf(node.component.plan)}\n`;
      if (node.label === null) {
        const comment = node.component.comment;
        if (comment !== null && comment !== undefined) plans += `${comment}\n`;
      } else {
        const k = node.label;
        plans += `\n<prompt_${k}> ${textOf(node.component.prompt)} </prompt_${k}>\n`;
        executions += `\n<execution_${k}>\n${textOf(node.component.execution)}\n</execution_${k}>\n`;
      }
      if (labels.length > 0) lastBasedOn = labels;
    });
    const execText = executions.trim() === '' ? 'No prompt to execute.' : executions.trim();
    out += `\n<Plan_${stage.index}>\n${plans.trim()}\n</Plan_${stage.index}>\n\n<Execution_${stage.index}>\n${execText}\n</Execution_${stage.index}>\n`;
  }
  return out;
}

/** The whole released trajectory file: question, stages, final answer (as its trajectory_data files hold it). */
export function renderReleasedTrajectory(
  question: string,
  packed: Pick<ReleasedPackResult, 'stages' | 'nodes'>,
  solution: string,
): string {
  return (
    `<Question>\n${question}\n</Question>\n` +
    renderReleasedStages(packed) +
    `\n<Final_answer>\n${releasedFinalAnswer(solution)}\n</Final_answer>`
  );
}

/**
 * A training record in the released layout: prompt = system + `<Question>` block (the serving
 * prefix), completion = `<think>\n` + the stages and final answer + `\n</think>`, with
 * `**Final Answer**\n` removed as the released training text removed it.
 */
export function releasedRecord(
  id: string,
  question: string,
  packed: Pick<ReleasedPackResult, 'stages' | 'nodes'>,
  solution: string,
  opts: RenderOptions = {},
): TrainingRecord {
  const body = (
    renderReleasedStages(packed) + `\n<Final_answer>\n${releasedFinalAnswer(solution)}\n</Final_answer>`
  ).replace(/^\n/, '');
  return {
    id,
    prompt: renderSessionPrefix(
      opts.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE,
      opts.system ?? DEFAULT_SPRINT_SYSTEM,
      question,
    ),
    completion: `<think>\n${body}\n</think>`.split('**Final Answer**\n').join(''),
  };
}
