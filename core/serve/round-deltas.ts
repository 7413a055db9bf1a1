import { renderExecutionBlock, renderPlan, type Plan } from '../format';

/*
 * Streaming a session's reasoning: each finished round becomes two reasoning deltas, its
 * plan and its execution block, so the deltas concatenated are exactly the trajectory text
 * (`renderTrajectory` without the final answer, which is sent as `content`).
 */

export interface StreamedRound {
  plan: Pick<Plan, 'phase' | 'text'>;
  executions: readonly string[];
  /** Set on the round that wrote the final answer: it has no reasoning of its own. */
  final?: string;
}

export interface RoundDeltas {
  deltas: string[];
  /** Pass back as `sent` next time. */
  sent: number;
}

/**
 * Deltas of the reasoning rounds after the first `sent` ones (counting reasoning rounds only).
 * Rounds arrive only once finished, so a round is never sent twice nor in part.
 */
export function roundDeltas(rounds: readonly StreamedRound[], sent: number): RoundDeltas {
  const reasoning = rounds.filter((r) => r.final === undefined);
  const deltas: string[] = [];
  for (let i = sent; i < reasoning.length; i++) {
    const r = reasoning[i]!;
    deltas.push(`${i > 0 ? '\n\n' : ''}${renderPlan(r.plan)}`);
    deltas.push(`\n\n${renderExecutionBlock(r.plan.phase, r.executions)}`);
  }
  return { deltas, sent: Math.max(sent, reasoning.length) };
}
