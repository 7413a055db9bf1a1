import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'sprint.js');

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('sprint --version and status --json', () => {
  it('--version prints the package version', () => {
    const res = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe(pkg.version);
  });

  it('status --json prints a JSON verdict and exits 3 when Temporal cannot be reached', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: address };
    delete env.SPRINT_CONFIG;
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-status-'));
    const res = spawnSync(process.execPath, [bin, 'status', '--json'], {
      encoding: 'utf8',
      env,
      cwd,
      timeout: 60_000,
    });
    expect(res.status).toBe(3);
    const verdict = JSON.parse(res.stdout) as {
      ok: boolean;
      checks: { what: string; ok: boolean; detail: string }[];
    };
    expect(verdict.ok).toBe(false);
    expect(verdict.checks).toEqual([
      { what: 'temporal', ok: false, detail: expect.stringContaining(address) as string },
    ]);
    expect(res.stderr).toContain(`cannot reach Temporal at ${address}`);
  }, 60_000);
});
