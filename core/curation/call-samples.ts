/*
 * SPRINT samples in the shape a session serves them: one training record per model call. A
 * trajectory sample trains executor p.2 on a context holding execution p.1 before it, but at
 * serving time the session opens `<execution_p.2>` right after the plan (or, with `reorder`,
 * rewrites the plan so its prompt comes first): a small model then writes the first execution
 * again. Split per call, every record's prompt is byte for byte the prompt the session sends
 * (core/format/prompts.ts) and its completion is what that call must write, through its stop. Pure.
 */
import {
  executorPrompt,
  plannerPrompt,
  parseTrajectory,
  renderFinalAnswer,
  renderPlan,
  renderTrajectory,
  type ExecutorStrategy,
  type Round,
} from '../format';
import type { ServingCallsLoss } from './names';
import type { TrainingRecord } from './render';

const THINK_OPEN = '<think>\n';
const THINK_CLOSE = '\n</think>';

/**
 * The model calls of one SPRINT sample (prompt: the system instructions and question, completion:
 * `<think>\n` + trajectory + `\n</think>`): per round the planner call (its plan, closed), one call
 * per executor (its execution, closed with its label), then the call that writes the final answer.
 * Ids are `<id>/p<phase>`, `<id>/e<phase>.<k>` and `<id>/final`. Throws when the completion does not
 * parse back to the same text (the calls would not add up to the sample).
 */
export function servingCallRecords(record: TrainingRecord, strategy: ExecutorStrategy): TrainingRecord[] {
  const c = record.completion;
  if (!c.startsWith(THINK_OPEN) || !c.endsWith(THINK_CLOSE))
    throw new Error(`sample ${record.id}: completion is not <think>\\n ... \\n</think>`);
  const body = c.slice(THINK_OPEN.length, -THINK_CLOSE.length);
  const parsed = parseTrajectory(body);
  const rounds: Round[] = parsed.rounds.map((r) => ({ plan: r.plan, executions: r.executions }));
  if (renderTrajectory({ rounds, final: parsed.final }) !== body)
    throw new Error(
      `sample ${record.id}: the trajectory does not render back to itself; cannot split it into calls`,
    );
  const prefix = record.prompt;
  const out: TrainingRecord[] = [];
  rounds.forEach((round, i) => {
    const before = rounds.slice(0, i);
    const phase = round.plan.phase;
    out.push({
      id: `${record.id}/p${phase}`,
      prompt: plannerPrompt(prefix, before),
      completion: renderPlan(round.plan),
    });
    round.executions.forEach((text, j) => {
      const k = j + 1;
      const prompt = executorPrompt(prefix, before, round.plan, k, strategy);
      // The label the prompt opened (`reorder` opens p.1 for every executor).
      const label = /<execution_(\d+\.\d+)>\n$/.exec(prompt)?.[1] ?? `${phase}.${k}`;
      out.push({ id: `${record.id}/e${phase}.${k}`, prompt, completion: `${text}\n</execution_${label}>` });
    });
  });
  if (parsed.final !== null)
    out.push({
      id: `${record.id}/final`,
      prompt: plannerPrompt(prefix, rounds),
      completion: renderFinalAnswer(parsed.final),
    });
  return out;
}

/**
 * A SPRINT sample as trained for serving: the whole trajectory (every planner call, the first
 * executor of each round and the final answer already see in it exactly the text the session
 * serves them), plus one record for each call the trajectory does not show as served: with
 * `shared-prefix`, executors p.2, p.3, ... open their tag right after the plan, where the
 * trajectory has the earlier executions before them. The trajectory keeps every call's learning
 * signal (a tiny model learns to copy the question's numbers from every sample); the added
 * records put each executor where the session calls it. With `context` loss the added records
 * also train the plans they show: a tiny model then learns the planner from every record, not
 * only from the trajectory (docs/demo.md#samples-in-the-serving-shape).
 */
export function servingShapeRecords(
  record: TrainingRecord,
  strategy: ExecutorStrategy,
  loss: ServingCallsLoss = 'reply',
): TrainingRecord[] {
  const whole = record.prompt + record.completion;
  const added = servingCallRecords(record, strategy).filter(
    (c) => !whole.startsWith(c.prompt + c.completion),
  );
  return [record, ...(loss === 'context' ? added.map((c) => withContextLoss(record, c)) : added)];
}

/** A call's record re-cut after the sample's own prompt: the same text, the context trained too. */
function withContextLoss(sample: TrainingRecord, call: TrainingRecord): TrainingRecord {
  if (!call.prompt.startsWith(sample.prompt))
    throw new Error(`sample ${sample.id}: call ${call.id} does not start with the sample's prompt`);
  return {
    id: call.id,
    prompt: sample.prompt,
    completion: call.prompt.slice(sample.prompt.length) + call.completion,
  };
}
