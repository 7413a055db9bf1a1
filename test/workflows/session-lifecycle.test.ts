import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { SessionProgress } from '../../core/session-types';
import { progressQuery } from '../../workflows/session';
import { planReply, promptText } from '../helpers/session-doubles';
import { startSessionTestEnv, type SessionTestEnv } from '../helpers/session-test-env';
import { waitFor } from '../helpers/workers';

describe('session workflow runs and endings (mocked model calls)', () => {
  let t: SessionTestEnv;

  beforeAll(async () => {
    t = await startSessionTestEnv();
  });

  afterAll(() => t?.close());

  it('continues as new after each round, computes no round twice, and keeps the transcript whole', async () => {
    const handle = await t.start(
      'continue-as-new',
      {
        plan: (input) =>
          input.phase <= 3
            ? planReply(input.phase, [`step ${input.phase}`, { prompt: `work ${input.phase}` }])
            : { text: '<Final_answer>\n\\boxed{30}\n</Final_answer>' },
        execute: (input) => ({ text: `result ${input.phase}` }),
      },
      { continueAsNewAfterRounds: 1 },
    );
    const result = await handle.result();

    expect(result.status).toBe('completed');
    expect(result.finalAnswer).toBe('\\boxed{30}');
    expect(result.promptsPerRound).toEqual([1, 1, 1, 0]);
    const calls = t.doubles.callsOf(handle.workflowId);
    // Each call once, and each round in a run of its own.
    expect(
      calls.map((c) => (c.kind === 'plan' ? `plan ${c.input.phase}` : `execute ${c.input.phase}`)),
    ).toEqual(['plan 1', 'execute 1', 'plan 2', 'execute 2', 'plan 3', 'execute 3', 'plan 4']);
    const plans = calls.filter((c) => c.kind === 'plan');
    expect(new Set(plans.map((c) => c.runId)).size).toBe(4);
    expect(plans[0]!.runId).toBe(handle.firstExecutionRunId);
    // A later run's planner still sees every earlier round: the transcript crossed the runs.
    const lastPrompt = promptText(plans[3]!.input.prompt);
    for (const p of [1, 2, 3])
      expect(lastPrompt).toContain(`<execution_${p}.1>\nresult ${p}\n</execution_${p}.1>`);
    const progress: SessionProgress = await handle.query(progressQuery);
    expect(progress.runs).toBe(4);
    expect(progress.checkpoints).toHaveLength(3);
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.runs).toBe(4);
    expect(transcript.rounds.map((r) => r.executions)).toEqual([
      ['result 1'],
      ['result 2'],
      ['result 3'],
      [],
    ]);
    expect(result.text).toContain('<prompt_3.1> work 3 </prompt_3.1>');
  });

  it('writes the transcript in its last workflow task (a local activity), and that history replays', async () => {
    const handle = await t.start('local-transcript-write', {
      plan: (input) =>
        input.phase === 1
          ? planReply(1, ['one step', { prompt: 'work' }])
          : { text: '<Final_answer>\n\\boxed{7}\n</Final_answer>' },
      execute: () => ({ text: 'result' }),
    });
    const result = await handle.result();
    expect(result.finalAnswer).toBe('\\boxed{7}');
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.final).toBe('\\boxed{7}');

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const { EventType } = temporal.api.enums.v1;
    // No activity task for the write: only the model calls were scheduled.
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['sprintPlan', 'sprintExecute', 'sprintPlan']);
    // The write's result is recorded as a local activity marker, in the task that completes the run.
    const types = events.map((e) => e.eventType);
    const after = types.slice(types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED));
    expect(after).toContain(EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(after).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    // The last task publishes the session's attributes once (the final ones), and one patch marker.
    const lastTask = events.slice(types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED));
    const sessionUpserts = lastTask.filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.SprintStatus,
    );
    expect(sessionUpserts).toHaveLength(1);
    const patches = lastTask.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(patches).toHaveLength(1);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: process.env.SPRINT_WORKFLOW_BUNDLE! } },
      history,
      handle.workflowId,
    );
  });

  it('a cancelled session cancels its running calls and ends as cancelled with the rounds it finished', async () => {
    const handle = await t.start(
      'cancelled',
      {
        plan: (input) => planReply(input.phase, ['fan out', { prompt: 'first' }, { prompt: 'second' }]),
        execute: (input, call) => (input.phase === 1 ? { text: `done 1.${input.k}` } : call.untilCancelled()),
      },
      // Cancellation reaches a running call with its next heartbeat's answer.
      { heartbeatTimeoutMs: 1000 },
    );
    const running = () =>
      t.doubles.callsOf(handle.workflowId).filter((c) => c.kind === 'execute' && c.input.phase === 2);
    await waitFor(() => running().length === 2, 30_000, 'both executors of round 2 to be running');
    await handle.cancel();

    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('CANCELLED');
    expect((desc.searchAttributes as Record<string, unknown[]>).SprintStatus).toEqual(['cancelled']);
    const transcript = await t.transcript(handle.workflowId);
    expect(transcript.status).toBe('cancelled');
    expect(transcript.rounds.map((r) => r.executions)).toEqual([['done 1.1', 'done 1.2']]);
    expect(transcript.problems).toEqual([]);
    // Asked to cancel, or finding their workflow closed at their next heartbeat (whichever comes
    // first): either way the calls stopped without an answer.
    await waitFor(
      () => running().every((c) => c.outcome === 'cancelled' || c.outcome === 'abandoned'),
      30_000,
      'the running executors to see the cancellation',
    );
    // No call started after the cancellation: round 3 never planned.
    expect(t.doubles.callsOf(handle.workflowId).filter((c) => c.kind === 'plan')).toHaveLength(2);
  });
});
