import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig, poolRoute } from '../../config';

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-cfg-')), name);
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has a complete default config', () => {
    const config = parseConfig({});
    expect(config.temporal.address).toBe('localhost:7233');
    expect(config.temporal.embedded.retentionDays).toBeGreaterThanOrEqual(30);
    expect(config.taskQueues.control).toBe('sprint-control');
    expect(Object.keys(config.models.pools)).toEqual(['local']);
  });

  it('reports a wrong type by path with what was expected', () => {
    const problems = problemsOf(() => parseConfig({ temporal: { embedded: { port: 'seven' } } }));
    expect(problems).toEqual(['temporal.embedded.port: expected number, got "seven"']);
  });

  it('reports an unknown field by path', () => {
    const problems = problemsOf(() => parseConfig({ temporal: { adress: 'x:1' } }));
    expect(problems).toEqual(['temporal: unknown field(s) "adress"']);
  });

  it('reports a pool without an endpoint', () => {
    const problems = problemsOf(() =>
      parseConfig({ models: { pools: { local: { model: 'm', replicas: [] } } } }),
    );
    expect(problems[0]).toMatch(/^models\.pools\.local\.replicas: a pool needs at least one replica/);
  });

  it('reports a role that names a missing pool', () => {
    const problems = problemsOf(() =>
      parseConfig({
        models: {
          pools: { gpu: { model: 'm', replicas: [{ name: 'r0', baseUrl: 'http://h:1/v1' }] } },
          roles: { planner: 'gpu', executor: 'gpu', extractor: 'gpu', dag: 'nope' },
        },
      }),
    );
    expect(problems).toEqual([
      'models.roles.dag: names pool "nope", but no such pool is configured (have: gpu)',
    ]);
  });

  it('reports a bad URL and a bad replica name together', () => {
    const problems = problemsOf(() =>
      parseConfig({
        models: { pools: { local: { model: 'm', replicas: [{ name: 'R 0', baseUrl: 'not a url' }] } } },
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/models\.pools\.local\.replicas\.0\.name/);
    expect(problems.join('\n')).toMatch(/models\.pools\.local\.replicas\.0\.baseUrl/);
  });

  it('loads YAML, then lets the environment override the Temporal address', () => {
    const file = tempFile('sprint.yaml', 'temporal:\n  address: file-host:7233\n  namespace: research\n');
    const config = loadConfig({ file, env: { TEMPORAL_ADDRESS: 'cluster:7233' }, cwd: os.tmpdir() });
    expect(config.temporal.address).toBe('cluster:7233');
    expect(config.temporal.namespace).toBe('research');
    expect(path.isAbsolute(config.artifacts.root)).toBe(true);
  });

  it('names the file and the line of a YAML syntax error', () => {
    const file = tempFile('bad.yaml', 'temporal:\n  address: [unclosed\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(/bad\.yaml[\s\S]*not valid YAML/);
  });

  it('never carries secrets: keys are named by environment variable only', () => {
    const config = parseConfig({
      models: {
        pools: {
          api: {
            model: 'gpt-4o',
            engine: 'openai',
            apiKeyEnv: 'OPENAI_API_KEY',
            replicas: [{ name: 'r0', baseUrl: 'https://api.example.com/v1' }],
          },
        },
        roles: { planner: 'api', executor: 'api', extractor: 'api', dag: 'api' },
      },
    });
    const route = poolRoute(config, 'api');
    expect(JSON.stringify(route)).not.toMatch(/https|apiKey/);
    expect(route.replicas).toEqual([
      { name: 'r0', taskQueue: `${config.temporal.taskQueuePrefix!}sprint-llm-api-r0` },
    ]);
  });
});
