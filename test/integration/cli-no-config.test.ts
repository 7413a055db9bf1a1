import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../config';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { startTestServer, type TestServer } from '../helpers/temporal-server';
import { startWorkers } from '../helpers/workers';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');

/**
 * A new user's first commands: no sprint.config.yaml, no SPRINT_CONFIG, only the engine URL on the
 * command line. The ad-hoc pools come on top of the default pools, so the roles the flags do not
 * name (extractor, dag, ...) still find theirs and the config is valid.
 */
describe('ask --planner and eval --endpoint with no config file', () => {
  let server: TestServer;
  let engine: LoopbackModelServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let stopControl: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer();
    engine = await new LoopbackModelServer().start();
    engine.setScript(sprintScript(threeRoundScenario()));
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-no-config-'));
    env = { ...process.env, TEMPORAL_ADDRESS: server.address };
    delete env.SPRINT_CONFIG;
    // The default config, as the CLI will load it in `cwd`: the control worker polls its default queue.
    const config = loadConfig({ cwd, env });
    expect(config.source).toBe('defaults');
    ({ stop: stopControl } = await startWorkers(config, 'control'));
  });

  afterAll(async () => {
    await stopControl?.();
    await engine?.stop();
    await server?.stop();
  });

  const sprint = (...args: string[]) => run(process.execPath, [bin, ...args], { cwd, env });

  it('sprint ask --planner URL runs a session on the defaults', async () => {
    const { stdout } = await sprint('ask', 'What is 1+4+9+16?', '--planner', engine.baseUrl, '--json');
    const result = JSON.parse(stdout) as { rounds: number; finalAnswer?: string; promptsPerRound: number[] };
    expect(result.rounds).toBe(4);
    expect(result.promptsPerRound).toEqual([1, 2, 5, 0]);
    expect(result.finalAnswer).toContain('30');
    expect(fs.existsSync(path.join(cwd, 'sprint.config.yaml'))).toBe(false);
  });

  it('sprint ask --planner URL --executors URL URL runs with separate executor replicas', async () => {
    const executors = await new LoopbackModelServer().start();
    executors.setScript(sprintScript(threeRoundScenario()));
    try {
      const { stdout } = await sprint(
        'ask',
        'q',
        '--planner',
        engine.baseUrl,
        '--executors',
        executors.baseUrl,
        executors.baseUrl,
      );
      expect(stdout).toContain('answer: The sum of the first four squares is \\boxed{30}.');
      // 1 + 2 + 5 executions went to the executor engine, none of them to the planner's.
      expect(executors.requests).toHaveLength(8);
    } finally {
      await executors.stop();
    }
  });

  it('sprint eval --endpoint URL evaluates on the defaults', async () => {
    const out = path.join(cwd, 'runs', 'seq');
    const { stdout } = await sprint(
      'eval',
      '--benchmark',
      'countdown',
      '--method',
      'sequential',
      '--endpoint',
      engine.baseUrl,
      '--limit',
      '2',
      '--out',
      out,
      '--json',
    );
    const result = JSON.parse(stdout) as { summary: { problems: number; method: string } };
    expect(result.summary).toMatchObject({ problems: 2, method: 'sequential' });
    expect(fs.existsSync(path.join(out, 'results.jsonl'))).toBe(true);
  });
});
