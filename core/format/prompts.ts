import { unknownName } from '../closed-set';
import { executorStrategies, type ExecutorStrategy } from './executor-strategies';
import type { Plan } from './plan';
import { reorderPlanFor } from './released';
import { renderRound, type Round } from './trajectory';

/*
 * The exact prompts of the SPRINT loop (docs/sprint-format.md#inference-loop). The planner continues one assistant
 * turn: prefix (system instructions + question, through the model's chat template) + `<think>\n` +
 * every earlier round. An executor gets the same history + the current plan + the opened tags.
 */

export { executorStrategies, type ExecutorStrategy } from './executor-strategies';

/**
 * The model input before `<think>\n`: system instructions, a blank line, the question block (the
 * released loop's layout, docs/sprint-format.md#released-inference-loop). Training prompts (core/curation/render.ts) and
 * sessions both default to it, so a model is served the text it was trained on.
 */
export const DEFAULT_PROMPT_PREFIX_TEMPLATE = '{system}\n\n<Question>\n{question}\n</Question>\n\n';

/** Fills `{system}` and `{question}` in the prompt template. */
export function renderSessionPrefix(template: string, system: string, question: string): string {
  return template.replace(/\{system\}|\{question\}/g, (m) => (m === '{system}' ? system : question));
}

/** The history of finished rounds as it follows `<think>\n` (each round followed by a blank line). */
export function renderHistory(rounds: readonly Round[]): string {
  return rounds.map((r) => `${renderRound(r)}\n\n`).join('');
}

export function plannerPrompt(prefix: string, rounds: readonly Round[]): string {
  return `${prefix}<think>\n${renderHistory(rounds)}`;
}

/** The opening a forced last phase ends the planner prompt with: the model continues with the answer. */
export const FORCED_FINAL_OPENING = '<Final_answer>\n';

/**
 * The planner prompt of a forced last phase: the model must write the final answer. `tail` is what
 * the loop appends (its policy's forcedFinalTail, core/session/policies): FORCED_FINAL_OPENING,
 * spaced as that loop spaces it.
 */
export function forcedFinalPrompt(prefix: string, rounds: readonly Round[], tail: string): string {
  return `${plannerPrompt(prefix, rounds)}${tail}`;
}

/**
 * Executor prompt for prompt p.k. `shared-prefix`: the full plan, only the opened tag differs (an
 * engine prefix cache serves every executor of the round). `reorder`: the plan rewritten so this
 * prompt is p.1 (the output is relabelled p.k by the caller), as the released code does.
 */
export function executorPrompt(
  prefix: string,
  rounds: readonly Round[],
  plan: Pick<Plan, 'phase' | 'text'>,
  k: number,
  strategy: ExecutorStrategy,
): string {
  return `${plannerPrompt(prefix, rounds)}${executorPromptTail(plan, k, strategy)}`;
}

/**
 * What executor p.k's prompt adds to the planner prompt of its round: the plan and the opened tags.
 * A long history travels by reference while this tail, different per executor, stays inline.
 */
export function executorPromptTail(
  plan: Pick<Plan, 'phase' | 'text'>,
  k: number,
  strategy: ExecutorStrategy,
): string {
  const p = plan.phase;
  const { planText, label } = executorView(plan, k, strategy);
  return `<Plan_${p}>\n${planText}\n</Plan_${p}>\n\n<Execution_${p}>\n<execution_${p}.${label}>\n`;
}

/** The plan text executor p.k reads and the label its tag opens with, per strategy. */
function executorView(
  plan: Pick<Plan, 'phase' | 'text'>,
  k: number,
  strategy: ExecutorStrategy,
): { planText: string; label: number } {
  switch (strategy) {
    case 'shared-prefix':
      return { planText: plan.text, label: k };
    case 'reorder':
      return { planText: reorderPlanFor(plan, k), label: 1 };
    default:
      return unknownName('executor strategy', strategy, executorStrategies);
  }
}

/**
 * System instructions given to planner and executors alike (docs/sprint-format.md#inference-loop), and the ones
 * SPRINT training samples are rendered with: one constant, so training and inference cannot drift.
 */
export const DEFAULT_SYSTEM_PROMPT =
  'You are a reasoning model that plans and executes in parallel. Inside <think>, write <Plan_p> blocks that ' +
  'reason about the next step and name independent sub-tasks as <prompt_p.k> ... </prompt_p.k>; each prompt is ' +
  'executed by its own executor in <execution_p.k> inside <Execution_p>. When done, write the answer in ' +
  '<Final_answer> with the result in \\boxed{}.';
