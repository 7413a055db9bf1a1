import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');

/**
 * README lines written with placeholders (`--hub OWNER/NAME[:PATH]`) and typed as they are: a usage
 * error (exit 2) naming the flag, before any connection or workflow, never a run that fails later.
 */
describe('README placeholders typed as they are', () => {
  const sprint = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    delete env.SPRINT_CONFIG;
    return spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env,
      cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-placeholder-')),
      timeout: 60_000,
    });
  };

  it('curate --hub OWNER/NAME[:PATH]', () => {
    const res = sprint('curate', '--hub', 'OWNER/NAME[:PATH]', '--out', 'data/r1', '--extractor', 'llm');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--hub expects OWNER/NAME[:PATH] (got "OWNER/NAME[:PATH]")');
  });

  it('a real repo id with a folder passes the check (and only then needs Temporal)', () => {
    const res = sprint(
      'curate',
      '--hub',
      'open-r1/OpenR1-Math-220k:data',
      '--columns',
      'openr1-math',
      '--out',
      'data/r1',
    );
    expect(res.status).toBe(3); // Temporal at 127.0.0.1:1 cannot be reached
    expect(res.stderr).not.toContain('--hub expects');
  });
});
