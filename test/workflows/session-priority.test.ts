import type { temporal } from '@temporalio/proto';
import type { PoolRoute } from '../../config/queues';
import type { SessionRunInput } from '../../config/session-input';
import type { SessionSettingsInput } from '../../config/schema/session';
import { parseConfig } from '../../config';
import { runPriority, type RunPriority } from '../../core/priority/mapping';
import { sessionWorkflow } from '../../workflows';
import { planReply, type SessionScript } from '../helpers/session-doubles';
import { startSessionTestEnv, type SessionTestEnv } from '../helpers/session-test-env';

/*
 * The Temporal Priority of each model call, as the server recorded it in the session's history:
 * the planner and the current round's executors at their class's primary key, resampled calls at
 * its deferred key, every call with the run's fairness key and weight.
 */

type Scheduled = { type: string; priority: temporal.api.common.v1.IPriority | null | undefined };

describe('session workflow: priority of its model calls in history', () => {
  let t: SessionTestEnv;
  const policy = parseConfig({
    priority: { apiKeys: { '00112233aabbccdd': { fairnessWeight: 3 } } },
  }).priority;

  beforeAll(async () => {
    t = await startSessionTestEnv();
  });

  afterAll(() => t?.close());

  /** Starts a session with `priority` in its input (the doubled route of the test env). */
  async function run(
    name: string,
    script: SessionScript,
    settings: SessionSettingsInput,
    priority?: RunPriority,
  ) {
    const route: PoolRoute = {
      pool: 'doubled',
      model: 'doubled-model',
      sharedQueue: t.taskQueue,
      replicas: [],
    };
    const workflowId = `${name}-${Date.now()}`;
    t.doubles.script(workflowId, script);
    const input: SessionRunInput = {
      question: `question of ${name}`,
      pool: route.pool,
      settings: { profile: 'platform', ...settings },
      routing: { planner: route, executor: route },
      ...(priority ? { priority } : {}),
    };
    const handle = await t.client.workflow.start(sessionWorkflow, {
      taskQueue: t.taskQueue,
      workflowId,
      args: [input],
    });
    await handle.result();
    const history = await handle.fetchHistory();
    return (history.events ?? []).flatMap((e): Scheduled[] => {
      const a = e.activityTaskScheduledEventAttributes;
      const type = a?.activityType?.name;
      return type === 'sprintPlan' || type === 'sprintExecute' ? [{ type, priority: a!.priority }] : [];
    });
  }

  /** Round 1: the first plan too long (resampled), then executor 1 too long once (resampled); round 2 answers. */
  const script = (): SessionScript => {
    let plans = 0;
    let executes = 0;
    return {
      plan: (input) => {
        if (input.phase === 2)
          return { text: '<Final_answer>\n\\boxed{7}\n</Final_answer>', completionTokens: 5 };
        plans += 1;
        return planReply(1, ['go', { prompt: 'work it out' }], plans === 1 ? 80 : 10);
      },
      execute: () =>
        (executes += 1) === 1 ? { text: 'long', completionTokens: 90 } : { text: 'ok', completionTokens: 5 },
    };
  };
  const resample = { resample: { enabled: true, planMaxTokens: 50, executionMaxTokens: 50, maxTries: 3 } };

  it('an interactive session: planner and current executors at key 1, resampled calls at 2, the key id as fairness key', async () => {
    const priority = runPriority(policy, { command: 'serve', keyId: '00112233aabbccdd', runId: 'x' })!;
    const calls = await run('interactive', script(), resample, priority);
    const fairness = { fairnessKey: 'key-00112233aabbccdd', fairnessWeight: 3 };
    expect(
      calls.map((c) => [
        c.type,
        c.priority?.priorityKey,
        c.priority?.fairnessKey,
        c.priority?.fairnessWeight,
      ]),
    ).toEqual([
      ['sprintPlan', 1, fairness.fairnessKey, fairness.fairnessWeight], // plan 1, try 1
      ['sprintPlan', 2, fairness.fairnessKey, fairness.fairnessWeight], // plan 1, try 2: resampled
      ['sprintExecute', 1, fairness.fairnessKey, fairness.fairnessWeight], // execute 1.1, try 1
      ['sprintExecute', 2, fairness.fairnessKey, fairness.fairnessWeight], // execute 1.1, try 2: resampled
      ['sprintPlan', 1, fairness.fairnessKey, fairness.fairnessWeight], // plan 2
    ]);
  });

  it('a batch session (an evaluation child): keys 3 and 4, the evaluation as fairness key', async () => {
    const priority = runPriority(policy, { command: 'eval', runId: 'math500-sprint-1' })!;
    const calls = await run('batch', script(), resample, priority);
    expect(calls.map((c) => c.priority?.priorityKey)).toEqual([3, 4, 3, 4, 3]);
    expect(new Set(calls.map((c) => c.priority?.fairnessKey))).toEqual(new Set(['eval-math500-sprint-1']));
  });

  it('without a priority in its input (priority.enabled false, older callers): none is set', async () => {
    const calls = await run('none', script(), resample);
    expect(calls).toHaveLength(5);
    for (const c of calls) expect(c.priority?.priorityKey ?? 0).toBe(0);
  });
});
