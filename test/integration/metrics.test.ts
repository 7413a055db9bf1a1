import { WorkflowFailedError } from '@temporalio/client';
import { sessionRunInput } from '../../config';
import { controlQueue } from '../../config/queues';
import type { SessionTranscript } from '../../core/session-types';
import { freePort } from '../../infra/temporal/dev-server';
import { ArtifactStore } from '../../io/artifacts';
import { sessionWorkflow } from '../../workflows';
import { scrape, total, type Sample } from '../helpers/prometheus';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitForOutput } from '../helpers/workers';
import { backlogText, describeQueue } from '../../workers/queue-stats';

/*
 * `sprint worker all --metrics-port N`, as an operator runs it: two sessions (one completes, one
 * fails on an engine's 400), then one scrape of the process's endpoint, whose figures must be the
 * sessions' own (their transcripts), beside the Temporal SDK's metrics on the same endpoint.
 */
describe('metrics endpoint of a worker process', () => {
  let stack: TestStack | undefined;
  let worker: ReturnType<typeof spawnWorkerProcess> | undefined;
  let url: string;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        session: { profile: 'platform', retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      }),
    });
    const port = await freePort();
    worker = spawnWorkerProcess(stack.configFile, 'all', ['--metrics-port', String(port)]);
    await waitForOutput(worker, /metrics on (http:\S+)/);
    url = /metrics on (http:\S+)/.exec(worker.output())![1]!;
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await stack?.close();
  });

  it("counts sessions, rounds, executors and tokens as the sessions' transcripts do", async () => {
    const { client, config, engine } = stack!;
    const scenario = threeRoundScenario();
    // The failing session's planner gets a 400 (a refusal no retry fixes); the other's, the scenario.
    engine.setScript(
      sprintScript(scenario, {
        override: (req) =>
          req.prompt.includes('doomed question') ? { status: 400, text: 'bad' } : undefined,
      }),
    );
    const ok = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `metrics-ok-${Date.now()}`,
      args: [sessionRunInput(config, 'What is 1^2 + 2^2 + 3^2 + 4^2?')],
    });
    await expect(
      client.workflow.execute(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `metrics-failed-${Date.now()}`,
        args: [sessionRunInput(config, 'doomed question')],
      }),
    ).rejects.toThrow(WorkflowFailedError);
    const transcript = await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(
      ok.transcript!,
    );

    // Sinks run before the worker reports the workflow task done, so the figures are there already.
    const samples: Sample[] = await scrape(url);
    const session = { method: 'sprint', profile: 'platform' };
    expect(total(samples, 'sprint_sessions_started_total', session)).toBe(2);
    expect(total(samples, 'sprint_sessions_ended_total', { ...session, outcome: 'completed' })).toBe(1);
    expect(total(samples, 'sprint_sessions_ended_total', { ...session, outcome: 'failed' })).toBe(1);
    // Session figures: those of the transcript.
    expect(total(samples, 'sprint_session_sequential_tokens_sum', session)).toBe(
      transcript.tokens.sequential,
    );
    expect(total(samples, 'sprint_session_generated_tokens_sum', session)).toBe(transcript.tokens.total);
    expect(total(samples, 'sprint_session_rounds_sum', session)).toBe(transcript.rounds.length);
    expect(total(samples, 'sprint_session_rounds_count', session)).toBe(1);
    const executors = transcript.rounds.map((r) => r.executions.length);
    expect(total(samples, 'sprint_round_executors_count', session)).toBe(executors.length);
    expect(total(samples, 'sprint_round_executors_sum', session)).toBe(executors.reduce((a, b) => a + b, 0));
    expect(total(samples, 'sprint_session_wall_seconds_count', session)).toBe(1);
    // Model calls: every call of the transcript, by role, with its tokens; the refused one as an error.
    const calls = transcript.rounds.flatMap((r) => r.calls);
    const plans = calls.filter((c) => c.kind === 'plan');
    const execs = calls.filter((c) => c.kind === 'execute');
    const replica = { pool: 'local', replica: 'r0' };
    const tokens = (cs: typeof calls) => cs.reduce((a, c) => a + c.usage.completionTokens, 0);
    expect(total(samples, 'sprint_model_call_completion_tokens_count', { ...replica, role: 'planner' })).toBe(
      plans.length,
    );
    expect(total(samples, 'sprint_model_call_completion_tokens_sum', { ...replica, role: 'planner' })).toBe(
      tokens(plans),
    );
    expect(total(samples, 'sprint_model_call_completion_tokens_sum', { ...replica, role: 'executor' })).toBe(
      tokens(execs),
    );
    expect(total(samples, 'sprint_model_call_seconds_count', { ...replica, outcome: 'ok' })).toBe(
      calls.length,
    );
    expect(
      total(samples, 'sprint_engine_errors_total', { ...replica, role: 'planner', kind: 'client_error' }),
    ).toBe(1);
    // The Temporal SDK's own metrics, on the same endpoint.
    expect(total(samples, 'temporal_workflow_completed', { workflow_type: 'sessionWorkflow' })).toBe(1);
    expect(samples.some((s) => s.name.startsWith('temporal_activity_execution_latency'))).toBe(true);
  });

  it('times the first token of each streamed call, by role and replica', async () => {
    const { client, config, engine } = stack!;
    engine.setScript(sprintScript(threeRoundScenario(), { delayMs: 50 }));
    const ttft = { pool: 'local', replica: 'r0', role: 'planner' };
    const before = await scrape(url);
    const input = sessionRunInput(config, 'streamed question', { settings: { streamingDispatch: true } });
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `metrics-streamed-${Date.now()}`,
      args: [input],
    });
    const transcript = await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(
      result.transcript!,
    );
    const after = await scrape(url);
    const delta = (name: string) => total(after, name, ttft) - total(before, name, ttft);
    // Every planner call streams under streaming dispatch; the engine waits 50 ms before its first byte.
    const plans = transcript.rounds.flatMap((r) => r.calls).filter((c) => c.kind === 'plan');
    expect(delta('sprint_model_call_time_to_first_token_seconds_count')).toBe(plans.length);
    expect(delta('sprint_model_call_time_to_first_token_seconds_sum')).toBeGreaterThanOrEqual(
      0.05 * plans.length,
    );
  });

  it('sprint status reads the pollers and backlog of each queue from DescribeTaskQueue', async () => {
    const { client, config } = stack!;
    const ns = config.temporal.namespace;
    const polled = await describeQueue(client.workflowService, ns, controlQueue(config), 'workflow');
    expect(polled.identities.length).toBeGreaterThan(0);
    // Two runs on a queue no one polls: both wait there.
    const queue = `metrics-unpolled-${Date.now()}`;
    for (const n of [1, 2])
      await client.workflow.start(sessionWorkflow, {
        taskQueue: queue,
        workflowId: `${queue}-${n}`,
        args: [sessionRunInput(config, 'nobody answers')],
      });
    // The server's figure is approximate and refreshed every few seconds.
    let state = await describeQueue(client.workflowService, ns, queue, 'workflow');
    for (let i = 0; i < 100 && state.backlog !== 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await describeQueue(client.workflowService, ns, queue, 'workflow');
    }
    expect(state).toMatchObject({ identities: [], backlog: 2 });
    expect(backlogText(state)).toMatch(/^, backlog 2 \(oldest \d+ s\)$/);
    for (const n of [1, 2]) await client.workflow.getHandle(`${queue}-${n}`).terminate('test over');
  });
});
