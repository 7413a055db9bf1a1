import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { testConfig, writeConfigFile } from '../helpers/config';
import { HubDouble } from '../helpers/hub-double';
import { openR1MathParquet } from '../helpers/r1-parquet';
import { startStack, type TestStack } from '../helpers/stack';

const repoRoot = path.resolve(__dirname, '..', '..');
/** Runs a command without blocking this process's event loop; resolves with its exit status and output. */
function runAsync(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
const sprint = (args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'sprint.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 170_000,
  });

describe('sprint curate (CLI) against a real dev server', () => {
  let stack: TestStack | undefined;
  let configFile: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ configFile } = stack);
  });
  afterAll(() => stack?.close());

  it('generates traces, curates them with --limit, prints the result and writes the dataset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-cli-'));
    const traces = path.join(dir, 'traces.jsonl');
    const gen = sprint(['curate', 'generate', '--count', '80', '--seed', '9', '--out', traces]);
    expect(gen.status).toBe(0);
    fs.appendFileSync(traces, 'this is not json\n');
    const out = path.join(dir, 'dataset');
    const run = sprint([
      '--config',
      configFile,
      'curate',
      '--input',
      traces,
      '--out',
      out,
      '--limit',
      '60',
      '--with-workers',
      '--json',
    ]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      datasetDir: string;
      counts: { traces: number; kept: number; rejected: number; failed: number };
    };
    expect(result.datasetDir).toBe(out);
    expect(result.counts.traces).toBe(60);
    expect(result.counts.kept + result.counts.rejected + result.counts.failed).toBe(60);
    expect(fs.existsSync(path.join(out, 'report.md'))).toBe(true);

    const bad = sprint([
      '--config',
      configFile,
      'curate',
      '--input',
      path.join(dir, 'missing.jsonl'),
      '--out',
      out,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing.jsonl does not exist/);
  });

  it('curates from a Parquet file of a Hub dataset (--hub, --columns openr1-math), naming bad rows by number', async () => {
    // OpenR1-Math-220k-shaped rows: two generations each, only the second marked correct; row 3 has none.
    const traces = generateCountdownTraces(24, 5);
    const rows = traces.map((t, i) => ({
      problem: t.question,
      solution: t.solution,
      answer: t.answer,
      uuid: `cd-${i}`,
      generations: [
        `<think>\nI guess.\n</think>\n\nWrong.`,
        `<think>\n${t.trace}\n</think>\n\n${t.solution}`,
      ],
      correctness_math_verify: i === 3 ? [false, false] : [false, true],
    }));
    const hub = await new HubDouble().start();
    try {
      hub.addFile('open-r1/countdown-mini', 'data/train-00000-of-00001.parquet', openR1MathParquet(rows));
      const hubConfig = testConfig(stack!.config.temporal.address, {
        hub: { endpoint: hub.baseUrl, tokenEnv: 'SPRINT_TEST_CLI_HUB_TOKEN' },
      });
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'curate-hub-')), 'dataset');
      // Asynchronous: the Hub double answers from this process, so it must not be blocked.
      const run = await runAsync(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'sprint.js'),
          '--config',
          writeConfigFile(hubConfig),
          'curate',
          '--hub',
          'open-r1/countdown-mini',
          '--columns',
          'openr1-math',
          '--out',
          out,
          '--with-workers',
          '--json',
        ],
        { ...process.env, SPRINT_TEST_CLI_HUB_TOKEN: hub.token },
      );
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout) as {
        counts: { inputLines: number; inputRejects: number; traces: number; kept: number };
      };
      expect(result.counts).toMatchObject({ inputLines: 24, inputRejects: 1, traces: 23 });
      expect(result.counts.kept).toBeGreaterThan(0);
      const rejects = fs.readFileSync(path.join(out, 'rejects.jsonl'), 'utf8').trim().split('\n');
      expect(rejects.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual([
        'data/train-00000-of-00001.parquet: row 3 (from 0): no generation is marked true in "correctness_math_verify"',
      ]);
      // The kept samples are the correct generations, rendered in the released layout.
      const train = fs
        .readFileSync(path.join(out, 'sprint', 'train.jsonl'), 'utf8')
        .trim()
        .split('\n');
      const first = JSON.parse(train[0]!) as { id: string; completion: string };
      expect(first.id).toMatch(/^cd-\d+$/);
      expect(first.completion).toMatch(/^<think>\n<Plan_1>\n/);
      expect(first.completion).not.toContain('I guess.');
      expect(hub.requests.some((r) => r.url.includes('/resolve/') && r.auth === `Bearer ${hub.token}`)).toBe(
        true,
      );
      expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain(
        'Format: **released**. Extractor: **offline**.',
      );
    } finally {
      await hub.stop();
    }
  });
});
