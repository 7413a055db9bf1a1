import { reorderPlanFor, type Plan } from './plan';
import { renderRound, type Round } from './trajectory';

/*
 * The exact prompts of the SPRINT loop (SPRINT.md section 3). The planner continues one assistant
 * turn: prefix (system instructions + question, through the model's chat template) + `<think>\n` +
 * every earlier round. An executor gets the same history + the current plan + the opened tags.
 */

export type ExecutorStrategy = 'reorder' | 'shared-prefix';

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

/** The planner prompt of a forced last phase: the model must write the final answer. */
export function forcedFinalPrompt(prefix: string, rounds: readonly Round[]): string {
  return `${plannerPrompt(prefix, rounds)}<Final_answer>\n`;
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
  const p = plan.phase;
  const planText = strategy === 'reorder' ? reorderPlanFor(plan, k) : plan.text;
  const label = strategy === 'reorder' ? 1 : k;
  return `${plannerPrompt(prefix, rounds)}<Plan_${p}>\n${planText}\n</Plan_${p}>\n\n<Execution_${p}>\n<execution_${p}.${label}>\n`;
}
