import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../config';
import { loadConfigOffThread } from '../../config/load-off-thread';

// The thread runs the .ts sources through tsx here (no build): allow for its start.
jest.setTimeout(60_000);

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-cfg-')), name);
  fs.writeFileSync(file, text);
  return file;
}

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the load to fail');
}

describe('loadConfigOffThread (sprint worker loads its config on a worker thread)', () => {
  it('reads a YAML file with the environment over it, as loadConfig does on this thread', async () => {
    const file = tempFile(
      'sprint.yaml',
      'temporal:\n  address: file-host:7233\n  namespace: research\nartifacts:\n  root: ./store\n',
    );
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-cwd-'));
    const env = { TEMPORAL_ADDRESS: 'cluster:7233' };
    const config = await loadConfigOffThread({ file, env, cwd });
    expect(config.temporal.address).toBe('cluster:7233');
    expect(config.temporal.namespace).toBe('research');
    expect(config.artifacts.root).toBe(path.join(cwd, 'store'));
    expect(config.source).toBe(file);
    // the derived queue prefix too: a worker must poll the queues the other processes name
    expect(config).toEqual(loadConfig({ file, env, cwd }));
  });

  it('defaults to the cwd and environment of this process', async () => {
    const file = tempFile('sprint.json', JSON.stringify({ temporal: { namespace: 'from-json' } }));
    const config = await loadConfigOffThread({ file });
    expect(config.temporal.namespace).toBe('from-json');
    expect(config.temporal.address).toBe(process.env.TEMPORAL_ADDRESS ?? 'localhost:7233');
  });

  it('rejects a bad field with the same ConfigError, naming the field', async () => {
    const file = tempFile('bad.json', JSON.stringify({ temporal: { embedded: { port: 'seven' } } }));
    const err = await rejectionOf(loadConfigOffThread({ file, env: {} }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['temporal.embedded.port: expected number, got "seven"']);
    expect((err as ConfigError).source).toBe(file);
    expect(() => loadConfig({ file, env: {} })).toThrow((err as ConfigError).message);
  });

  it('rejects a YAML syntax error naming the file', async () => {
    const file = tempFile('broken.yaml', 'temporal:\n  address: [unclosed\n');
    const err = await rejectionOf(loadConfigOffThread({ file, env: {} }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/broken\.yaml[\s\S]*not valid YAML/);
  });

  it('rejects a missing file', async () => {
    const file = path.join(os.tmpdir(), 'sprint-no-such-dir', 'sprint.yaml');
    const err = await rejectionOf(loadConfigOffThread({ file, env: {} }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/cannot read the file/);
  });
});
