import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startStack, type TestStack } from '../helpers/stack';
import { waitFor } from '../helpers/workers';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');

describe('sprint ask / show / cancel', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let configFile: string;
  const sprint = (...args: string[]) =>
    run(process.execPath, [bin, '--config', configFile, ...args], {
      env: { ...process.env, SPRINT_UI_URL: 'http://ui' },
    });

  beforeAll(async () => {
    // The config names no engine: `ask --planner URL` brings its own ad-hoc pool and serves it.
    stack = await startStack({ engines: ['adhoc'], workers: ['control'] });
    ({ engine, configFile } = stack);
    engine.setScript(sprintScript(threeRoundScenario()));
  });

  afterAll(() => stack?.close());

  it('ask prints rounds, the answer, tokens and the UI link; show prints the session; --json gives the result', async () => {
    const { stdout } = await sprint(
      'ask',
      'What is 1+4+9+16?',
      '--planner',
      engine.baseUrl,
      '--id',
      'cli-ask-1',
    );
    expect(stdout).toContain('session cli-ask-1: http://ui/namespaces/default/workflows/cli-ask-1');
    expect(stdout).toMatch(/round 1: plan \d+ tokens, 1 prompt\(s\)/);
    expect(stdout).toMatch(/round 3: plan \d+ tokens, 5 prompt\(s\)/);
    expect(stdout).toContain('3.5 [');
    expect(stdout).toContain('answer: The sum of the first four squares is \\boxed{30}.');
    expect(stdout).toMatch(/rounds 4 \[1, 2, 5, 0\], sequential tokens \d+/);

    const shown = await sprint('show', 'cli-ask-1');
    expect(shown.stdout).toContain('session cli-ask-1 (completed, 4 round(s)');
    expect(shown.stdout).toMatch(/round 2: plan \d+ tokens, 2 prompt\(s\)/);
    expect(shown.stdout).toContain('workflow status COMPLETED');

    const json = await sprint(
      'ask',
      'q',
      '--planner',
      engine.baseUrl,
      '--model',
      'loopback-model',
      '--mode',
      'sequential',
      '--json',
    );
    const result = JSON.parse(json.stdout) as { method: string; rounds: number; workflowId: string };
    expect(result).toMatchObject({ method: 'sequential', rounds: 1 });
  });

  it('separate executor engines; show and cancel a running session', async () => {
    const slow = await new LoopbackModelServer().start();
    slow.setScript(
      sprintScript(threeRoundScenario(), { delayMs: (_r, kind) => (kind.kind === 'execute' ? 60_000 : 0) }),
    );
    const fast = await new LoopbackModelServer().start();
    fast.setScript(sprintScript(threeRoundScenario()));
    try {
      // Planner on `fast`, executors on two replicas of `slow`: the session hangs in round 1.
      const asking = sprint(
        'ask',
        'q',
        '--planner',
        fast.baseUrl,
        '--executors',
        slow.baseUrl,
        slow.baseUrl,
        '--model',
        'm',
        '--id',
        'cli-cancel-1',
      );
      const outcome = asking.then(
        () => ({ code: 0 }),
        (e: { code: number; stderr: string }) => e,
      );
      await waitFor(() => slow.requests.length > 0, 30_000, 'the executor call');
      expect(fast.requests).toHaveLength(1);
      const shown = await sprint('show', 'cli-cancel-1');
      expect(shown.stdout).toContain('session cli-cancel-1 (running, 0 round(s)');
      expect(shown.stdout).toContain('round 1: executing...');
      expect(shown.stdout).toMatch(/planner ask-[0-9a-f]+-planner\/r0/);
      const cancelled = await sprint('cancel', 'cli-cancel-1', '--wait');
      expect(cancelled.stdout).toContain('cli-cancel-1: CANCELLED');
      const end = (await outcome) as { code: number; stderr: string };
      expect(end.code).toBe(4);
      expect(end.stderr).toContain('was cancelled');
    } finally {
      await slow.stop();
      await fast.stop();
    }
  });

  it("a session the engine refuses fails with the engine's reason, in ask and in show", async () => {
    // A real engine (vLLM, SGLang) answers a model name it does not serve with 404.
    const strict = await new LoopbackModelServer().start();
    strict.strictModel = true;
    try {
      const failure = (await sprint(
        'ask',
        'q',
        '--planner',
        strict.baseUrl,
        '--model',
        'not-served',
        '--id',
        'cli-refused-1',
      ).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(failure.code).toBe(1);
      // the reason, not Temporal's wrappers ("Activity task failed")
      expect(failure.stderr).toContain(
        `session cli-refused-1 failed: sprintPlan: engine at ${strict.baseUrl} answered 404`,
      );
      expect(failure.stderr).toContain('The model `not-served` does not exist.');
      const shown = await sprint('show', 'cli-refused-1');
      expect(shown.stdout).toContain('session failed: sprintPlan: engine at');
      expect(shown.stdout).toContain('workflow status FAILED');
    } finally {
      await strict.stop();
    }
  });

  it('Ctrl-C stops following, not the session, and says how to stop it', async () => {
    const slow = await new LoopbackModelServer().start();
    slow.setScript(
      sprintScript(threeRoundScenario(), { delayMs: (_r, kind) => (kind.kind === 'execute' ? 60_000 : 0) }),
    );
    try {
      const asking = sprint('ask', 'q', '--planner', slow.baseUrl, '--id', 'cli-interrupt-1');
      const outcome = asking.then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      await waitFor(() => slow.requests.length > 1, 30_000, 'the executor call');
      asking.child.kill('SIGINT');
      const end = await outcome;
      expect(end.code).toBe(130);
      expect(end.stderr).toContain(
        'sprint: interrupted; cli-interrupt-1 is not cancelled and goes on with the workers that poll ' +
          'its queues (`npx sprint cancel cli-interrupt-1` stops it)',
      );
      expect((await sprint('show', 'cli-interrupt-1')).stdout).toContain('(running,');
      expect((await sprint('cancel', 'cli-interrupt-1', '--wait')).stdout).toContain('CANCELLED');
    } finally {
      await slow.stop();
    }
  });

  it('ask shows the calls being retried and why, while the engine fails', async () => {
    const flaky = await new LoopbackModelServer().start();
    // the first three planner calls fail as an overloaded engine answers (retried with backoff)
    flaky.enqueue(...[1, 2, 3].map(() => ({ status: 503, text: 'engine warming up' })));
    flaky.setScript(sprintScript(threeRoundScenario()));
    try {
      const { stdout, stderr } = await sprint('ask', 'q', '--planner', flaky.baseUrl, '--id', 'cli-retry-1');
      expect(stdout).toContain('answer: The sum of the first four squares is \\boxed{30}.');
      expect(stderr).toMatch(
        new RegExp(`! sprintPlan retrying \\(attempt [234]\\): engine at ${flaky.baseUrl}/? answered 503`),
      );
    } finally {
      await flaky.stop();
    }
  });

  it('bad usage gets exit code 2; cancel of an unknown workflow says so', async () => {
    await expect(sprint('ask', 'q', '--mode', 'parallel')).rejects.toMatchObject({ code: 2 });
    const failure = (await sprint('cancel', 'no-such-session').catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('no workflow "no-such-session"');
  });
});
