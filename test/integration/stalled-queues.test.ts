import { WorkflowFailedError, type Client } from '@temporalio/client';
import { configFingerprint, poolQueue, sessionRunInput, type SprintConfig } from '../../config';
import { controlQueue, replicaQueue } from '../../config/queues';
import { sessionWorkflow } from '../../workflows';
import { progressQuery } from '../../workflows/session';
import { stalledRuns } from '../../workers/pollers';
import { writeConfigFile } from '../helpers/config';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitForOutput } from '../helpers/workers';

/*
 * No silent waits: a session whose pool has no llm worker is named, with its queue and the config
 * fingerprint that would serve it, by a worker's start report and by the check `sprint status`
 * runs; once a worker comes, the session finishes and the report clears.
 */
describe('tasks waiting on a queue without pollers', () => {
  let stack: TestStack | undefined;
  let config: SprintConfig;
  let client: Client;
  const children: ReturnType<typeof spawnWorkerProcess>[] = [];

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      // A short sticky wait: the calls move to the pool's shared queue (no limit) within a second.
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine) } },
        session: { stickyScheduleToStartMs: 1000 },
      }),
      workers: ['control'],
    });
    ({ config, client } = stack);
    stack.engine.setScript(sprintScript(threeRoundScenario()));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await stack?.close();
  });

  it('a call no worker takes within session.pickupTimeoutMs fails the session, naming queue and fingerprint', async () => {
    const fingerprint = configFingerprint(config);
    const shared = poolQueue(config, 'local');
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `pickup-limit-${Date.now()}`,
      args: [sessionRunInput(config, 'q', { settings: { pickupTimeoutMs: 2000 } })],
    });
    const failure = await handle.result().then(
      () => undefined,
      (e: unknown) => e as WorkflowFailedError,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const message =
      `a model call of pool local waited 2 s (session.pickupTimeoutMs) on task queue ${shared} and no ` +
      `worker took it: start a worker with config fingerprint ${fingerprint} (sprint worker llm) on it, ` +
      'or raise session.pickupTimeoutMs if the pool is only backed up';
    expect(failure?.cause?.message).toBe(message);
    // The session's own record says so too (the transcript is written on failure).
    const progress = await handle.query(progressQuery);
    expect(progress.status).toBe('failed');
    expect(progress.problems).toContain(`session failed: ${message}`);
  }, 60_000);

  it('the start report, then the stalled-run check, name the pool queue and the fingerprint', async () => {
    const configFile = writeConfigFile(config);
    const fingerprint = configFingerprint(config);
    const shared = poolQueue(config, 'local');

    const control = spawnWorkerProcess(configFile, 'control');
    children.push(control);
    await waitForOutput(control, /sends activity tasks to .*sprint-llm-local: NO pollers/);
    expect(control.output()).toContain(
      `config fingerprint ${fingerprint} polls it (sprint worker llm --pool local)`,
    );

    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `stalled-${Date.now()}`,
      // The stall below is looked for at 3 s, so the session's own slow-pickup line must not wait
      // for the default 30 s either.
      args: [sessionRunInput(config, 'q', { settings: { slowPickupMs: 2000 } })],
    });
    // Under the default threshold (what `sprint status` uses), a fresh wait is no stall.
    expect(await stalledRuns(client, config)).toEqual([]);
    // The pool call waits on the shared queue once the sticky second is over; on a loaded machine
    // that can be several seconds after the start, so look until the wait passes a threshold. A
    // short one: the default (STALL_THRESHOLD_MS, 30 s) would only add its wait to the test.
    const thresholdMs = 3000;
    let stalled: Awaited<ReturnType<typeof stalledRuns>> = [];
    const deadline = Date.now() + thresholdMs + 60_000;
    while (!stalled.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      stalled = await stalledRuns(client, config, { thresholdMs });
    }
    expect(stalled.map((s) => s.workflowId)).toEqual([handle.workflowId]);
    expect(stalled[0]!.messages).toEqual([
      expect.stringMatching(
        new RegExp(
          `^sprintPlan has waited \\d+ s on task queue ${shared.replace('.', '\\.')}, which no worker polls: ` +
            `a worker started with config fingerprint ${fingerprint} would take it$`,
        ),
      ),
    ]);

    const llm = spawnWorkerProcess(configFile, 'llm');
    children.push(llm);
    const result = await handle.result();
    expect(result.finalAnswer).toContain('\\boxed{30}');
    // The session says so itself: its first call (after the sticky second) waited past slowPickupMs.
    expect(result.problems).toEqual([
      `planner queue ${replicaQueue(config, 'local', 'r0')} had no worker: moved to ${shared}`,
      expect.stringMatching(
        new RegExp(
          `^a model call of pool local waited \\d+ s on task queue ${shared.replace('.', '\\.')} before a ` +
            'worker took it \\(no worker polled it, or the pool was backed up\\)$',
        ),
      ),
    ]);
    expect(await stalledRuns(client, config)).toEqual([]);
  }, 180_000);
});
