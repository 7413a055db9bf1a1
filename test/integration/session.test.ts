import { WorkflowFailedError, type Client } from '@temporalio/client';
import { sessionRunInput, type SprintConfig } from '../../config';
import { buildPlan, parseTrajectory, renderTrajectory } from '../../core/format';
import type { SessionProgress, SessionTranscript } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import { sequentialWorkflow, sessionWorkflow } from '../../workflows';
import { progressQuery } from '../../workflows/session';
import { countTokens, type LoopbackModelServer } from '../helpers/loopback-model-server';
import {
  classify,
  scenarioPlanBody,
  scenarioPrompts,
  sprintScript,
  threeRoundScenario,
  type Scenario,
} from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { waitFor } from '../helpers/workers';
import { controlQueue } from '../../config/queues';

function keyOf(r: { prompt: string }): string {
  const k = classify(r.prompt);
  return k.kind === 'execute' ? `exec ${k.phase}.${k.k}` : k.kind === 'plan' ? `plan ${k.phase}` : 'final';
}

/** Expected token counts from the scenario's own strings, as the double counts them. */
function expectedTokens(s: Scenario) {
  let sequential = 0;
  let total = 0;
  s.rounds.forEach((r, i) => {
    // The double cuts the plan at the stop string `</Plan_`: the text is `<Plan_p>\n` + body + `\n`.
    const plan = countTokens(`<Plan_${i + 1}>\n${scenarioPlanBody(i + 1, r)}\n`);
    const execs = r.executions.map((e) => countTokens(`${e}\n`));
    sequential += plan + Math.max(0, ...execs);
    total += plan + execs.reduce((a, b) => a + b, 0);
  });
  const final = countTokens(`<Final_answer>\n${s.final}\n`);
  return { sequential: sequential + final, total: total + final };
}

describe('SPRINT session workflow on a real dev server', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let n = 0;
  const id = (what: string) => `${what}-${Date.now()}-${++n}`;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        // The project's own loop (the released profile has its own suite: session-released.test.ts).
        session: { profile: 'platform', retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      }),
      workers: ['all'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('runs 3 rounds with 1, 2 and 5 prompts: exact transcript, tokens, final answer, overlapping executors', async () => {
    const scenario = threeRoundScenario();
    engine.setScript(
      sprintScript(scenario, { delayMs: (_req, kind) => (kind.kind === 'execute' ? 300 : 0) }),
    );
    const before = engine.requests.length;
    const workflowId = id('session');
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });
    const result = await handle.result();

    const rounds = scenario.rounds.map((r, i) => ({
      plan: buildPlan(i + 1, r.parts),
      executions: r.executions,
    }));
    // A session this size returns its text inline (long ones: core/session/payload-limits.ts).
    if (typeof result.text !== 'string') throw new Error('expected the text inline');
    expect(result.text).toBe(renderTrajectory({ rounds, final: scenario.final }));
    expect(parseTrajectory(result.text)).toEqual({ rounds, final: scenario.final, problems: [] });
    expect(result.finalAnswer).toBe(scenario.final);
    expect(result.rounds).toBe(4);
    expect(result.promptsPerRound).toEqual([1, 2, 5, 0]);
    expect(result.problems).toEqual([]);
    const want = expectedTokens(scenario);
    expect(result.tokens.sequential).toBe(want.sequential);
    expect(result.tokens.total).toBe(want.total);
    expect(result.tokens.sequentialStreaming).toBeLessThanOrEqual(result.tokens.sequential);

    // 4 planner calls + 8 executor calls, each exactly once.
    const reqs = engine.requests.slice(before);
    expect(reqs).toHaveLength(12);
    const kinds = reqs.map((r) => classify(r.prompt));
    expect(kinds.filter((k) => k.kind === 'plan')).toHaveLength(4);
    const execKeys = kinds.flatMap((k) => (k.kind === 'execute' ? [`${k.phase}.${k.k}`] : [])).sort();
    expect(execKeys).toEqual(['1.1', '2.1', '2.2', '3.1', '3.2', '3.3', '3.4', '3.5']);
    // Stops: planner at </Plan_ and </Final_answer>, executors at </execution_.
    expect(reqs[0]!.body.stop).toEqual(['</Plan_', '</Final_answer>']);
    expect(reqs.find((r) => classify(r.prompt).kind === 'execute')!.body.stop).toEqual(['</execution_']);
    expect(reqs[0]!.body.temperature).toBe(0.6);
    expect(reqs[0]!.body.max_tokens).toBe(8000);

    // The 5 executors of round 3 overlap: every one started before any ended.
    const round3 = reqs.filter((r) => {
      const k = classify(r.prompt);
      return k.kind === 'execute' && k.phase === 3;
    });
    expect(round3).toHaveLength(5);
    const lastStart = Math.max(...round3.map((r) => r.startedAt));
    const firstEnd = Math.min(...round3.map((r) => r.endedAt!));
    expect(lastStart).toBeLessThan(firstEnd);

    // Shared-prefix: every executor prompt of a round is identical up to the opened tag.
    const stems = new Set(round3.map((r) => r.prompt.replace(/<execution_3\.\d>\n$/, '')));
    expect(stems.size).toBe(1);

    // Audit: transcript in the store, search attributes, activity summaries, progress query.
    const store = new ArtifactStore(config.artifacts.root);
    const transcript = await store.getJson<SessionTranscript>(result.transcript!);
    expect(transcript.status).toBe('completed');
    expect(transcript.rounds.map((r) => r.plan.prompts.map((p) => p.text))).toEqual([
      ...scenario.rounds.map(scenarioPrompts),
      [],
    ]);
    expect(transcript.rounds[2]!.calls.filter((c) => c.kind === 'execute')).toHaveLength(5);
    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get({ name: 'SprintKind', type: 'KEYWORD' } as never)).toBe('session');
    const sa = desc.searchAttributes as Record<string, unknown[]>;
    expect(sa.SprintStatus).toEqual(['completed']);
    expect(sa.SprintProgress).toEqual([4]);
    expect(sa.SprintSequentialTokens).toEqual([want.sequential]);
    expect(sa.SprintTotalTokens).toEqual([want.total]);
    expect(sa.SprintModel).toEqual(['loopback-model']);
    const history = await handle.fetchHistory();
    const summaries = history
      .events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name?.startsWith('sprint'))
      .map((e) => e.userMetadata?.summary?.data)
      .filter((d): d is Uint8Array => !!d)
      .map((d) => JSON.parse(Buffer.from(d).toString('utf8')) as string);
    expect(summaries).toEqual(
      expect.arrayContaining(['plan 1', 'execute 1.1', 'plan 2', 'execute 2.2', 'execute 3.5', 'plan 4']),
    );
    const progress: SessionProgress = await handle.query(progressQuery);
    expect(progress.status).toBe('completed');
    expect(progress.rounds.map((r) => r.executions.length)).toEqual([1, 2, 5, 0]);
    expect(progress.tokens.sequential).toBe(want.sequential);
  });

  it('reorder strategy: each executor sees its prompt as p.1 and the output is relabelled p.k', async () => {
    const scenario = threeRoundScenario();
    engine.setScript(sprintScript(scenario));
    const before = engine.requests.length;
    const input = sessionRunInput(config, 'q', { settings: { executorStrategy: 'reorder' } });
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('reorder'),
      args: [input],
    });
    const rounds = scenario.rounds.map((r, i) => ({
      plan: buildPlan(i + 1, r.parts),
      executions: r.executions,
    }));
    expect(result.text).toBe(renderTrajectory({ rounds, final: scenario.final }));
    const execPrompts = engine.requests.slice(before).filter((r) => classify(r.prompt).kind === 'execute');
    expect(execPrompts).toHaveLength(8);
    expect(execPrompts.every((r) => /<execution_\d\.1>\n$/.test(r.prompt))).toBe(true);
    // The executor of 3.5 sees only its own prompt, renumbered 3.1; earlier prompts are gone.
    const last = execPrompts.find((r) =>
      r.prompt.includes('<prompt_3.1> Verify with n(n+1)(2n+1)/6 for n = 4. </prompt_3.1>'),
    );
    expect(last).toBeDefined();
    expect(last!.prompt.slice(last!.prompt.lastIndexOf('<Plan_3>'))).not.toContain('Add 5 and 9.');
  });

  it('records a malformed plan by its rule and still finishes', async () => {
    // Phase 1: no tags at all (a plan with no prompts); phase 2: prompts out of order, one unclosed,
    // over the fan-out cap of 2; phase 3: the answer.
    engine.setScript((req) => {
      const kind = classify(req.prompt);
      if (kind.kind === 'plan' && kind.phase === 1) return { text: 'Let me think without any tags.' };
      if (kind.kind === 'plan' && kind.phase === 2) {
        return {
          text: '<think><Plan_2>\n<prompt_2.3> A </prompt_2.3> <prompt_2.1> B </prompt_2.1> <prompt_2.2> C',
        };
      }
      if (kind.kind === 'plan') return { text: '<Final_answer>\n\\boxed{1}\n</Final_answer>' };
      if (kind.kind === 'execute') return { text: `done ${kind.k}\n</execution_2.${kind.k}>` };
      return { text: 'x' };
    });
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('malformed'),
      args: [sessionRunInput(config, 'q', { settings: { maxPromptsPerRound: 2 } })],
    });
    expect(result.status).toBe('completed');
    expect(result.promptsPerRound).toEqual([0, 2, 0]);
    expect(result.finalAnswer).toBe('\\boxed{1}');
    expect(result.problems).toEqual([
      'plan 1: no <Plan_1> tag: the whole reply taken as the plan',
      'plan 2: stray <think> tag removed',
      'plan 2: prompt 2.3 (out of sequence) renumbered 2.1',
      'plan 2: prompt 2.1 (out of sequence) renumbered 2.2',
      'plan 2: prompt 2.2 not closed: took its text up to the next prompt or the end',
      'plan 2: prompt 2.2 beyond the fan-out cap of 2: kept as plain text',
    ]);
    expect(result.text).toContain(
      '<Plan_1>\nLet me think without any tags.\n</Plan_1>\n\n<Execution_1>\nNo prompt to execute.\n</Execution_1>',
    );
    expect(result.text).toContain('<prompt_2.1> A </prompt_2.1> <prompt_2.2> B </prompt_2.2>  C\n</Plan_2>');
  });

  it('forces the last phase to answer', async () => {
    // A planner that never stops planning.
    engine.setScript((req) => {
      const kind = classify(req.prompt);
      if (kind.kind === 'final') return { text: '\\boxed{2}\n</Final_answer>' };
      if (kind.kind === 'plan')
        return { text: `<Plan_${kind.phase}>\nstill thinking\n</Plan_${kind.phase}>` };
      return { text: 'x' };
    });
    const before = engine.requests.length;
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('forced'),
      args: [sessionRunInput(config, 'q', { settings: { maxPhases: 3 } })],
    });
    expect(result.rounds).toBe(3);
    expect(result.finalAnswer).toBe('\\boxed{2}');
    const last = engine.requests[engine.requests.length - 1]!;
    expect(last.prompt.endsWith('</Execution_2>\n\n<Final_answer>\n')).toBe(true);
    expect(engine.requests.length - before).toBe(3);
  });

  it('continues as new after the configured rounds and keeps the transcript whole', async () => {
    const scenario = threeRoundScenario();
    engine.setScript(sprintScript(scenario));
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('can'),
      args: [sessionRunInput(config, 'q', { settings: { continueAsNewAfterRounds: 1 } })],
    });
    const result = await handle.result();
    const rounds = scenario.rounds.map((r, i) => ({
      plan: buildPlan(i + 1, r.parts),
      executions: r.executions,
    }));
    expect(result.text).toBe(renderTrajectory({ rounds, final: scenario.final }));
    expect(result.tokens.sequential).toBe(expectedTokens(scenario).sequential);
    const progress = await handle.query(progressQuery);
    expect(progress.runs).toBe(4);
    expect(progress.checkpoints).toHaveLength(3);
    const desc = await handle.describe();
    expect(desc.runId).not.toBe(handle.firstExecutionRunId);
  });

  it('cancellation stops in-flight calls and ends the session as cancelled', async () => {
    const scenario = threeRoundScenario();
    engine.setScript(
      sprintScript(scenario, { delayMs: (_r, kind) => (kind.kind === 'execute' ? 60_000 : 0) }),
    );
    const before = engine.requests.length;
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('cancel'),
      args: [sessionRunInput(config, 'q', { settings: { heartbeatTimeoutMs: 2000 } })],
    });
    await waitFor(
      () => engine.requests.slice(before).some((r) => classify(r.prompt).kind === 'execute'),
      20_000,
      'an executor call',
    );
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('CANCELLED');
    expect((desc.searchAttributes as Record<string, unknown[]>).SprintStatus).toEqual(['cancelled']);
    // The executor's HTTP request was aborted (heartbeat delivered the cancellation).
    await waitFor(
      () =>
        engine.requests
          .slice(before)
          .filter((r) => classify(r.prompt).kind === 'execute')
          .every((r) => r.aborted),
      10_000,
      'the in-flight executor request to be aborted',
    );
  });

  it('streaming dispatch starts executors before the plan ends, with the same trajectory', async () => {
    const scenario = threeRoundScenario();
    engine.setScript(sprintScript(scenario, { perTokenDelayMs: 15 }));
    const before = engine.requests.length;
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('streaming'),
      args: [sessionRunInput(config, 'q', { settings: { streamingDispatch: true } })],
    });
    const result = await handle.result();
    const rounds = scenario.rounds.map((r, i) => ({
      plan: buildPlan(i + 1, r.parts),
      executions: r.executions,
    }));
    expect(result.text).toBe(renderTrajectory({ rounds, final: scenario.final }));
    const reqs = engine.requests.slice(before);
    expect(reqs).toHaveLength(12);
    const plan3 = reqs.find((r) => keyOf(r) === 'plan 3')!;
    const exec31 = reqs.find((r) => keyOf(r) === 'exec 3.1')!;
    expect(plan3.body.stream).toBe(true);
    expect(exec31.startedAt).toBeLessThan(plan3.endedAt!);
    const store = new ArtifactStore(config.artifacts.root);
    const transcript = await store.getJson<SessionTranscript>(result.transcript!);
    const streamedCalls = transcript.rounds.flatMap((r) => r.calls.filter((c) => c.streamed));
    expect(streamedCalls).toHaveLength(8);
    // Measured prompt offsets make the streaming figure smaller than the seed figure.
    expect(result.tokens.sequentialStreaming).toBeLessThan(result.tokens.sequential);
  });

  it('the sequential baseline is one plain completion', async () => {
    engine.setScript(() => ({ text: 'I think step by step ... 30\n</think>\n\nThe answer is \\boxed{30}.' }));
    const before = engine.requests.length;
    const result = await client.workflow.execute(sequentialWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('sequential'),
      args: [sessionRunInput(config, 'What is 30?')],
    });
    expect(engine.requests.length - before).toBe(1);
    const req = engine.requests[engine.requests.length - 1]!;
    expect(req.prompt.endsWith('<think>\n')).toBe(true);
    expect(req.body.max_tokens).toBe(36_000);
    expect(result).toMatchObject({
      method: 'sequential',
      rounds: 1,
      finalAnswer: 'The answer is \\boxed{30}.',
    });
    const tokens = countTokens('I think step by step ... 30\n</think>\n\nThe answer is \\boxed{30}.');
    expect(result.tokens).toMatchObject({ sequential: tokens, total: tokens });
  });
});
