import type { SessionSettings } from '../../config/schema/session';
import { executorPromptTail, holdsFinalAnswerMarker } from '../../core/format';
import { callPrompt, inlineChars, STREAMED_PROMPT_INLINE_MAX } from '../../core/session/payload-limits';
import type { RunPriority } from '../../core/priority/mapping';
import type { SessionLoop } from '../../core/session/policies';
import { plannerPromptParts } from '../../core/session/prompt-parts';
import { executionProblems, planProblems, promptRounds } from '../../core/session/rounds';
import type { CallRecord, RoundRecord, SessionText } from '../../core/session-types';
import { runExecutor, runPlanner, type ExecutorCallSpec, type ExecutorOutcome } from './calls';
import type { ExecutorSlots } from './executor-slots';
import type { SessionState } from './state';
import { StreamedExecutors, type PromptClosedInbox } from './streaming';

/** What every round of a session shares: its settings and loop policy, prompt prefix, state and signal inbox. */
export interface RoundContext {
  settings: SessionSettings;
  /** The loop policy the settings choose (core/session/policies). */
  loop: SessionLoop;
  /** The rendered prompt prefix (template, system prompt, question). */
  prefix: string;
  state: SessionState;
  inbox: PromptClosedInbox;
  /** Bounds the executors running at once across the session (session.maxConcurrentExecutors). */
  slots: ExecutorSlots;
  /** The run's priority class and fairness key (input.priority). */
  priority?: RunPriority | undefined;
}

/**
 * One round (docs/sprint-format.md#inference-loop): the planner writes plan `phase` (or, when `forced`, the final
 * answer), then one executor per prompt runs, all together, their outputs kept in prompt order.
 * With streaming dispatch some executors already started while the plan was being written.
 */
export async function runRound(
  ctx: RoundContext,
  phase: number,
  forced: boolean,
): Promise<RoundRecord<SessionText>> {
  const { settings, loop, prefix, state } = ctx;
  const doneRounds = promptRounds(state.transcript.rounds);
  const startedAt = Date.now();
  const limits = state.textLimits;
  // The planner prompt as pieces: it continues the last stored prompt (state.promptHead) when one
  // exists, and holds stored replies by reference (core/session/payload-limits.ts).
  const plannerParts = plannerPromptParts(prefix, doneRounds, state.promptHead);
  // Streamed executors start before the planner could store its prompt: they carry the pieces
  // inline, so a round whose pieces are long dispatches after the plan instead.
  const streaming =
    settings.streamingDispatch && !forced && inlineChars(plannerParts) <= STREAMED_PROMPT_INLINE_MAX;
  /** One executor of this round; its prompt as pieces. */
  const execute = (
    call: Pick<ExecutorCallSpec, 'k' | 'streamed' | 'tail'> & { prompt: SessionText[] },
  ): Promise<ExecutorOutcome> =>
    runExecutor({
      ...call,
      settings,
      loop,
      router: state.executorRouter,
      phase,
      prompt: callPrompt(call.prompt),
      slot: ctx.slots.run,
      limits,
      priority: ctx.priority,
    });

  const early = streaming
    ? new StreamedExecutors(ctx.inbox, phase, (s) =>
        execute({
          k: s.k,
          prompt: [
            ...plannerParts,
            executorPromptTail({ phase, text: s.planPrefix }, s.k, loop.executorStrategy),
          ],
          streamed: true,
        }),
      )
    : undefined;

  state.activity = 'planning';
  const planner = await runPlanner({
    settings,
    loop,
    router: state.plannerRouter,
    phase,
    prompt: callPrompt(forced ? [...plannerParts, loop.forcedFinalTail] : plannerParts),
    forced,
    streaming,
    onTry: (t) => early?.setPlanTry(t),
    limits,
    priority: ctx.priority,
  });
  // A stored prompt is where the executors and every later prompt continue from.
  if (planner.result.promptStored)
    state.promptHead = { text: planner.result.promptStored, rounds: doneRounds.length };
  const historyParts: SessionText[] =
    state.promptHead?.rounds === doneRounds.length ? [state.promptHead.text] : plannerParts;
  await early?.stop();
  const { result } = planner;
  const plan = result.plan;
  const calls: CallRecord<SessionText>[] = [...planner.calls];
  const problems = planProblems(phase, result, settings.maxTokensPerCall);
  const planEndedAt = Date.now();

  // A loop may also end on a plan that states `**Final Answer` with a `\boxed` result.
  const earlyStop =
    plan.final === undefined && loop.finalAnswerEarlyStop && holdsFinalAnswerMarker(plan.text);
  if (earlyStop) problems.push(`plan ${phase}: holds **Final Answer and \\boxed: taken as the final answer`);
  const final = earlyStop ? plan.text : plan.final;
  if (final !== undefined) {
    early?.cancelRest();
    const round = { phase, plan, executions: [], final, forcedFinal: forced, calls };
    return { ...round, promptEndTokens: [], startedAt, planEndedAt, endedAt: planEndedAt, problems };
  }
  if (forced) problems.push(`plan ${phase}: forced final answer came back without one`);

  // Executors: reuse streamed ones that match the kept plan; start the rest now, all together.
  state.activity = 'executing';
  const outcomes = plan.prompts.map(
    (p) =>
      early?.take(planner.keptTry, result.attempt, p.index, plan.text) ??
      (result.planTextStored
        ? // A long plan goes by reference too: the executor renders its own tail from it.
          execute({
            k: p.index,
            prompt: historyParts,
            streamed: false,
            tail: { phase, planText: result.planTextStored, k: p.index, strategy: loop.executorStrategy },
          })
        : execute({
            k: p.index,
            prompt: [...historyParts, executorPromptTail(plan, p.index, loop.executorStrategy)],
            streamed: false,
          })),
  );
  for (const key of early?.cancelRest() ?? [])
    problems.push(`streamed executor ${key} belonged to a replaced plan: cancelled`);
  const results = await Promise.all(outcomes);
  const executions = results.map((r) => r.result.text);
  results.forEach((r, i) => {
    calls.push(...r.calls);
    problems.push(...executionProblems(phase, i + 1, r.result));
  });
  return {
    phase,
    plan,
    executions,
    forcedFinal: forced,
    calls,
    promptEndTokens: result.promptEndTokens,
    startedAt,
    planEndedAt,
    endedAt: Date.now(),
    problems,
  };
}
