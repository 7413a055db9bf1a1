import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  ConfigError,
  configFingerprint,
  controlQueue,
  derivedQueuePrefix,
  fingerprintOfIdentity,
  loadConfig,
  parseConfig,
  poolQueue,
  poolRoute,
  replicaQueue,
  trainingQueue,
  workerIdentity,
} from '../../config';
import { queueCheck } from '../../cli/actions/status';

const pools = (url: string) => ({
  pools: { main: { model: 'm', replicas: [{ name: 'a', baseUrl: url }] } },
  roles: { planner: 'main', executor: 'main', extractor: 'main', dag: 'main' },
});

describe('deployment isolation: queue prefix and config fingerprint', () => {
  it('derives a prefix that every queue name carries', () => {
    const config = parseConfig({ models: pools('http://gpu-0:8000/v1') });
    const prefix = config.temporal.taskQueuePrefix!;
    expect(prefix).toMatch(/^[0-9a-f]{8}\.$/);
    expect(controlQueue(config)).toBe(`${prefix}sprint-control`);
    expect(trainingQueue(config)).toBe(`${prefix}sprint-training`);
    expect(poolQueue(config, 'main')).toBe(`${prefix}sprint-llm-main`);
    expect(replicaQueue(config, 'main', 'a')).toBe(`${prefix}sprint-llm-main-a`);
    expect(poolRoute(config, 'main')).toEqual({
      pool: 'main',
      model: 'm',
      sharedQueue: `${prefix}sprint-llm-main`,
      replicas: [{ name: 'a', taskQueue: `${prefix}sprint-llm-main-a` }],
    });
  });

  it('two configs never share queues; the same config does, whatever its key order', () => {
    const one = parseConfig({ models: pools('http://gpu-0:8000/v1'), artifacts: { root: '/a' } });
    const other = parseConfig({ models: pools('http://gpu-1:8000/v1'), artifacts: { root: '/a' } });
    const again = parseConfig({ artifacts: { root: '/a' }, models: pools('http://gpu-0:8000/v1') });
    expect(controlQueue(one)).not.toBe(controlQueue(other));
    expect(controlQueue(one)).toBe(controlQueue(again));
    expect(parseConfig({ training: { launcher: 'docker' } }).temporal.taskQueuePrefix).not.toBe(
      parseConfig({}).temporal.taskQueuePrefix,
    );
  });

  it('two clones of one config never share queues', () => {
    const config = parseConfig({});
    expect(derivedQueuePrefix(config, '/home/u/clone-a')).not.toBe(
      derivedQueuePrefix(config, '/home/u/clone-b'),
    );
    expect(derivedQueuePrefix(config, '/home/u/clone-a')).toBe(derivedQueuePrefix(config, '/home/u/clone-a'));
  });

  it('session settings and connection settings do not change the deployment', () => {
    const base = parseConfig({});
    const tuned = parseConfig({
      session: { maxPhases: 3, executorStrategy: 'reorder' },
      workers: { shutdownGraceSeconds: 1 },
      temporal: { address: 'other:7233' },
    });
    expect(configFingerprint(tuned)).toBe(configFingerprint(base));
    expect(controlQueue(tuned)).toBe(controlQueue(base));
  });

  it('an explicit prefix is used as is; the same prefix shares, "" gives the plain names', () => {
    const a = parseConfig({ temporal: { taskQueuePrefix: 'team.' }, models: pools('http://gpu-0:8000/v1') });
    const b = parseConfig({ temporal: { taskQueuePrefix: 'team.' }, models: pools('http://gpu-1:8000/v1') });
    expect(controlQueue(a)).toBe('team.sprint-control');
    expect(controlQueue(b)).toBe(controlQueue(a));
    expect(configFingerprint(a)).not.toBe(configFingerprint(b));
    const plain = parseConfig({ temporal: { taskQueuePrefix: '' } });
    expect(controlQueue(plain)).toBe('sprint-control');
    expect(poolQueue(plain, 'local')).toBe('sprint-llm-local');
  });

  it('a bad prefix is reported by its path', () => {
    let problems: string[] = [];
    try {
      parseConfig({ temporal: { taskQueuePrefix: 'a b/' } }, 'x.yaml');
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^temporal\.taskQueuePrefix: letters, digits/)]);
  });

  it('command-line overrides (ad-hoc pools) keep the deployment of the file and environment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-dep-'));
    const file = path.join(dir, 'sprint.json');
    fs.writeFileSync(file, JSON.stringify({ models: pools('http://gpu-0:8000/v1') }));
    const plain = loadConfig({ file, env: {}, cwd: dir });
    const adhoc = loadConfig({
      file,
      env: {},
      cwd: dir,
      overrides: {
        models: { pools: { adhoc: { model: 'x', replicas: [{ name: 'r', baseUrl: 'http://h:1/v1' }] } } },
      },
    });
    expect(Object.keys(adhoc.models.pools)).toEqual(['main', 'adhoc']);
    expect(controlQueue(adhoc)).toBe(controlQueue(plain));
    expect(poolQueue(adhoc, 'adhoc')).toBe(`${plain.temporal.taskQueuePrefix!}sprint-llm-adhoc`);
  });

  it('a config written out and loaded again (worker processes) keeps its queues', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-dep-'));
    const config = parseConfig({ artifacts: { root: dir }, hub: { localMirror: dir } });
    const file = path.join(dir, 'sprint.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const reloaded = loadConfig({ file, env: {}, cwd: '/' });
    expect(controlQueue(reloaded)).toBe(controlQueue(config));
    expect(configFingerprint(reloaded)).toBe(configFingerprint(config));
  });

  it('the fingerprint ignores the order pools were written in (property)', () => {
    const poolName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
    fc.assert(
      fc.property(fc.uniqueArray(poolName, { minLength: 1, maxLength: 5 }), (names) => {
        const entries = names.map((n): [string, unknown] => [
          n,
          { model: n, replicas: [{ name: 'r', baseUrl: `http://${n}:1/v1` }] },
        ]);
        const forward = parseConfig({
          models: { pools: Object.fromEntries(entries), roles: rolesOn(names[0]!) },
        });
        const backward = parseConfig({
          models: { pools: Object.fromEntries([...entries].reverse()), roles: rolesOn(names[0]!) },
        });
        expect(configFingerprint(backward)).toBe(configFingerprint(forward));
      }),
    );
  });
});

function rolesOn(pool: string) {
  return { planner: pool, executor: pool, extractor: pool, dag: pool };
}

describe('worker identity and sprint status', () => {
  it('a worker identity carries the fingerprint and ends like the SDK default (pid@host)', () => {
    const id = workerIdentity('0123456789ab', 42, 'pod-1');
    expect(id).toBe('sprint:0123456789ab/42@pod-1');
    expect(id.endsWith('@pod-1')).toBe(true);
    expect(fingerprintOfIdentity(id)).toBe('0123456789ab');
    expect(fingerprintOfIdentity('42@pod-1')).toBeUndefined();
  });

  it('status fails a queue polled by a worker of another config and names it', () => {
    const mine = workerIdentity('aaaaaaaaaaaa', 1, 'h');
    const theirs = workerIdentity('bbbbbbbbbbbb', 2, 'h');
    expect(queueCheck('q', 'training', [mine], 'aaaaaaaaaaaa')).toEqual({
      what: 'queue q',
      ok: true,
      detail: 'training: 1 worker poller(s)',
    });
    const mixed = queueCheck('q', 'training', [mine, theirs, '9@old-host'], 'aaaaaaaaaaaa');
    expect(mixed.ok).toBe(false);
    expect(mixed.detail).toBe(
      'training: 3 worker poller(s); 2 run a different config than aaaaaaaaaaaa: ' +
        'sprint:bbbbbbbbbbbb/2@h (config bbbbbbbbbbbb), 9@old-host (no config fingerprint)',
    );
    expect(queueCheck('q', 'training', [], 'aaaaaaaaaaaa').ok).toBe(false);
  });
});
