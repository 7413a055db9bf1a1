import {
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { sharedPoolRoute } from '../../config/queues';
import { renderSessionPrefix } from '../../core/format';
import { budgetExhausted, budgetSpent } from '../../core/session/budget';
import { sessionLoop } from '../../core/session/policies';
import { sessionResult } from '../../core/session/transcript';
import type { SessionResult, SessionTranscript } from '../../core/session-types';
import { progressQuery, promptClosedSignal } from './handlers';
import { ExecutorSlots } from './executor-slots';
import { runRound } from './round';
import { settingsOf } from './settings';
import { SessionState } from './state';
import { PromptClosedInbox } from './streaming';
import type { SessionInput } from './types';
import { failureMessage } from '../../core/failure-message';

export { progressQuery, promptClosedSignal } from './handlers';
export type { SessionInput, SessionResume, SessionRouting } from './types';
export type { SessionResult } from '../../core/session-types';

/*
 * A SPRINT inference session (docs/sprint-format.md#inference-loop) as a workflow: rounds of one planner activity
 * and one executor activity per prompt (round.ts) until the planner answers or the last phase is
 * forced to. Finished rounds live in workflow state and, across continue-as-new, in the artifact
 * store (state.ts), so a crash never recomputes them.
 *
 * The loop policy (core/session/policies: session.profile, each of its rows settable on its own)
 * decides the stops, how replies are read and retried, the executor prompts and resampling:
 * `released` follows the released loop (docs/sprint-format.md#released-inference-loop), `platform` this project's. Broken model replies never fail the session:
 * the released rules retry a reply without tags and keep the last try; the platform rules
 * (core/format/plan.ts) repair and record. Every prompt runs, at most maxConcurrentExecutors at
 * once (executor-slots.ts); maxPromptsPerRound caps the fan-out and session.budget the calls and
 * tokens of the whole session, each recorded as a problem when hit.
 */
export async function sessionWorkflow(input: SessionInput): Promise<SessionResult> {
  const settings = settingsOf(input);
  const loop = sessionLoop(settings);
  const pool = input.pool ?? 'local';
  const routing = input.routing ?? { planner: sharedPoolRoute(pool), executor: sharedPoolRoute(pool) };

  // Long texts by reference (core/session/payload-limits.ts); histories from before replay without.
  const byReference = patched('session-payload-refs');
  // Restore: a new transcript, or the one the previous run checkpointed.
  const state = await SessionState.restore(input, settings, routing, byReference);
  const inbox = new PromptClosedInbox();
  setHandler(progressQuery, (roundsFrom?: number) => state.progress(roundsFrom));
  setHandler(promptClosedSignal, (s) => inbox.add(s));
  state.publishAttributes();
  const prefix = renderSessionPrefix(settings.promptTemplate, settings.systemPrompt, input.question);
  const slots = ExecutorSlots.forSession(settings.maxConcurrentExecutors);
  const transcript = state.transcript;

  try {
    // Rounds, until the planner answers (the last phase is forced to).
    let roundsThisRun = 0;
    while (transcript.final === null) {
      const phase = transcript.rounds.length + 1;
      // Continue-as-new after a number of rounds, or earlier when the server suggests it (history
      // close to its size or event limits): history stays small; the transcript goes on by reference.
      if (
        roundsThisRun >= settings.continueAsNewAfterRounds ||
        (roundsThisRun > 0 && workflowInfo().continueAsNewSuggested)
      ) {
        const resume = await state.checkpoint();
        await continueAsNew<typeof sessionWorkflow>({ ...input, resume });
      }
      const overBudget = budgetExhausted(budgetSpent(transcript.rounds), settings.budget);
      if (overBudget) transcript.problems.push(overBudget);
      state.startRound(phase);
      const round = await runRound(
        { settings, loop, prefix, state, inbox, slots, priority: input.priority },
        phase,
        phase >= settings.maxPhases || overBudget !== undefined,
      );
      state.finishRound(round);
      roundsThisRun += 1;
    }
    transcript.status = 'completed';
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // Failed or cancelled: the transcript so far is still written, even when cancelled.
    transcript.status = isCancellation(err) ? 'cancelled' : 'failed';
    transcript.endedAt = Date.now();
    if (!isCancellation(err)) transcript.problems.push(`session failed: ${failureMessage(err)}`);
    await CancellationScope.nonCancellable(async () => {
      state.publishAttributes();
      await state.writeTranscript();
    });
    throw err;
  }

  // Finish: final attributes, the transcript written, the result.
  const endedAt = Date.now();
  transcript.endedAt = endedAt;
  state.publishAttributes();
  const written = await state.writeTranscript();
  return written.text !== undefined
    ? sessionResult(transcript, written.ref, endedAt, written.text)
    : sessionResult(transcript as SessionTranscript, written.ref, endedAt);
}
