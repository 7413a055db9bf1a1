import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../config';
import { Command } from 'commander';
import { registerServe, serveFlagOverrides, type ServeFlags } from '../../cli/commands/serve';
import { SERVE_DEFAULTS } from '../../core/serve/defaults';
import { loadApiKeys } from '../../serve/auth';
import { defaultServeOptions, serveOptionsOf } from '../../serve/context';

function configFile(yaml: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-serve-config-')), 'sprint.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

const load = (file: string | undefined, flags: Parameters<typeof serveFlagOverrides>[0] = {}) =>
  loadConfig({ file, env: {}, overrides: { serve: serveFlagOverrides(flags) } }).serve;

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('the serve config section', () => {
  it('without a file or flags every setting is its default', () => {
    const serve = load(undefined);
    expect(serve).toEqual({ ...SERVE_DEFAULTS, insecureNoAuth: false, workers: false });
    expect(defaultServeOptions).toEqual(serveOptionsOf(serve));
  });

  it('precedence: a flag over the file, the file over the default', () => {
    const file = configFile(
      'serve:\n  port: 9000\n  maxConcurrent: 3\n  onDisconnect: continue\n  apiKeysEnv: TEAM_KEYS\n',
    );
    const fromFile = load(file);
    expect(fromFile).toMatchObject({ port: 9000, maxConcurrent: 3, onDisconnect: 'continue' });
    expect(fromFile.retryAfterSeconds).toBe(SERVE_DEFAULTS.retryAfterSeconds);
    const flagged = load(file, { port: '9100', onDisconnect: 'cancel', retryAfter: '9', host: '0.0.0.0' });
    expect(flagged).toMatchObject({
      port: 9100,
      onDisconnect: 'cancel',
      retryAfterSeconds: 9,
      host: '0.0.0.0',
      maxConcurrent: 3,
      apiKeysEnv: 'TEAM_KEYS',
    });
    // A flag not given leaves the file's value alone (no commander default sneaks in).
    expect(load(file, { port: undefined, maxConcurrent: undefined }).maxConcurrent).toBe(3);
  });

  it('keys come from the environment variable the section names, never from the file', () => {
    const file = configFile('serve:\n  apiKeysEnv: TEAM_KEYS\n');
    const { apiKeysEnv } = load(file);
    expect(loadApiKeys({ env: { TEAM_KEYS: 'a,b', SPRINT_API_KEYS: 'c' }, envName: apiKeysEnv })).toEqual([
      'a',
      'b',
    ]);
    expect(problemsOf(() => load(configFile('serve:\n  apiKeys: [secret-1]\n')))).toEqual([
      'serve: unknown field(s) "apiKeys"',
    ]);
  });

  it('a wrong field is named by its path, with what it got', () => {
    const problems = problemsOf(() =>
      load(
        configFile(
          'serve:\n  port: 70000\n  maxConcurrent: 0\n  onDisconnect: later\n  apiKeysEnv: "not a name"\n',
        ),
      ),
    );
    expect(problems).toHaveLength(4);
    // In the schema's order: port, apiKeysEnv, onDisconnect, maxConcurrent.
    expect(problems[0]).toMatch(/^serve\.port: .*65535.* \(got 70000\)$/);
    expect(problems[1]).toBe(
      'serve.apiKeysEnv: an environment variable name (letters, digits, "_") (got "not a name")',
    );
    expect(problems[2]).toMatch(/^serve\.onDisconnect: .*"cancel"\|"continue".*\(got "later"\)$/);
    expect(problems[3]).toMatch(/^serve\.maxConcurrent: .* \(got 0\)$/);
  });

  it('the real command line: flags not typed set nothing, typed ones set their field', () => {
    const flagsOf = (...args: string[]): ServeFlags => {
      const program = new Command().exitOverride();
      registerServe(program);
      const serve = program.commands.find((c) => c.name() === 'serve')!;
      serve.exitOverride().action(() => undefined);
      program.parse(['serve', ...args], { from: 'user' });
      return serve.opts<ServeFlags>();
    };
    expect(serveFlagOverrides(flagsOf())).toEqual({});
    expect(serveFlagOverrides(flagsOf('--port', '0', '--workers', '--request-timeout', '5000'))).toEqual({
      port: 0,
      workers: true,
      requestTimeoutMs: 5000,
    });
  });

  it('a bad flag is a usage error naming the flag', () => {
    expect(() => serveFlagOverrides({ port: '80a' })).toThrow('--port must be an integer 0-65535, got "80a"');
    expect(() => serveFlagOverrides({ maxConcurrent: '0' })).toThrow(
      '--max-concurrent must be an integer >= 1, got "0"',
    );
    expect(() => serveFlagOverrides({ onDisconnect: 'later' })).toThrow(
      '--on-disconnect must be cancel or continue, got "later"',
    );
    expect(() => serveFlagOverrides({ requestTimeout: '' })).toThrow('--request-timeout');
    expect(serveFlagOverrides({})).toEqual({});
  });
});
