import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startStack, type TestStack } from '../helpers/stack';

const repoRoot = path.resolve(__dirname, '..', '..');
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
});
