import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * `sprint worker <role>` loads its config on a worker thread while the main thread loads the
 * Temporal SDK (config/load-off-thread.ts). What a user sees must stay what the plain loader gives:
 * a bad config is a usage error naming the field, an unreachable server exit code 3.
 */
const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'sprint.js');

function configFile(data: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-worker-cfg-')), 'sprint.json');
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

function runWorker(file: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  delete env.SPRINT_CONFIG;
  return spawnSync(process.execPath, [bin, '--config', file, 'worker', 'control'], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
}

describe('sprint worker: config and connection errors', () => {
  it('a bad field is a usage error (exit 2) naming the file and the field', () => {
    const file = configFile({ temporal: { embedded: { port: 'seven' } } });
    const res = runWorker(file);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `sprint: Invalid sprint config (${file}):\n  - temporal.embedded.port: expected number, got "seven"`,
    );
  }, 60_000);

  it('an unreachable server exits 3 naming the address', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    const res = runWorker(configFile({ temporal: { address, embedded: { enabled: false } } }));
    expect(res.status).toBe(3);
    expect(res.stderr).toContain(`sprint: cannot reach Temporal at ${address}`);
  }, 60_000);
});
