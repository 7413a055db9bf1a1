import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `sprint` must run however a user reaches it. Each way below must print the help or the version:
 * a CLI that prints nothing and exits 0 (the old `require.main` guard under npx) fails here.
 * Slow (a clone, a build, a package install): its own jest project, run on its own.
 */

const root = path.resolve(__dirname, '..', '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-invocation-'));
const clone = path.join(tmp, 'clone');

function sh(
  cmd: string,
  args: string[],
  cwd: string,
  timeout = 300_000,
  extraEnv: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  // Not the npm settings of the npm that started jest (npm_config_local_prefix names this checkout):
  // a user's shell has none.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...extraEnv,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  delete env.SPRINT_CONFIG;
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
}

function expectHelp(res: SpawnSyncReturns<string>): void {
  expect({ status: res.status, stderr: res.stderr }).toEqual({
    status: 0,
    stderr: expect.any(String) as string,
  });
  expect(res.stdout).toContain('Usage: sprint [options] [command]');
  expect(res.stdout).toMatch(/^\s+ask \[options\] <question>/m);
}

beforeAll(() => {
  // A fresh clone of the committed tree, reusing this checkout's packages (no network).
  const cloned = sh('git', ['clone', '--quiet', root, clone], tmp);
  expect(cloned.status).toBe(0);
  // Its own node_modules of links to this checkout's packages (the clone runs its own sources).
  const modules = path.join(root, 'node_modules');
  const own = path.join(clone, 'node_modules');
  fs.mkdirSync(path.join(own, '.bin'), { recursive: true });
  for (const entry of fs.readdirSync(modules)) {
    if (entry !== '.bin' && entry !== '.package-lock.json')
      fs.symlinkSync(path.join(modules, entry), path.join(own, entry));
  }
  for (const bin of fs.readdirSync(path.join(modules, '.bin'))) {
    if (bin !== 'sprint')
      fs.symlinkSync(fs.realpathSync(path.join(modules, '.bin', bin)), path.join(own, '.bin', bin));
  }
  // npm's record of the install, written after the links, so npx finds the tree up to date (an
  // older one makes it reinstall and build the clone before running it).
  fs.copyFileSync(path.join(modules, '.package-lock.json'), path.join(own, '.package-lock.json'));
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('sprint runs however it is invoked', () => {
  it("npx sprint --help in a fresh clone runs the clone's own CLI", () => {
    // Every node process of the call (npm's own, then the CLI) appends the script it runs, resolved:
    // npm runs a project's own bin through its npx cache, where the project is a link to the clone.
    const ran = path.join(tmp, 'npx-ran.txt');
    const probe = path.join(tmp, 'probe.js');
    fs.writeFileSync(
      probe,
      "require('node:fs').appendFileSync(process.env.SPRINT_PROBE_OUT, " +
        "require('node:fs').realpathSync(process.argv[1] || '.') + '\\n');\n",
    );
    expectHelp(
      sh('npx', ['sprint', '--help'], clone, 120_000, {
        NODE_OPTIONS: `--require ${probe}`,
        SPRINT_PROBE_OUT: ran,
      }),
    );
    const scripts = fs.readFileSync(ran, 'utf8').trim().split('\n');
    expect(scripts).toContain(fs.realpathSync(path.join(clone, 'bin', 'sprint.js')));
    expect(scripts).not.toContain(fs.realpathSync(path.join(root, 'bin', 'sprint.js')));
  }, 120_000);

  it('npm exec sprint -- --help and --version', () => {
    expectHelp(sh('npm', ['exec', '--', 'sprint', '--help'], clone));
    const v = sh('npm', ['exec', '--', 'sprint', '--version'], clone);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(version);
  }, 120_000);

  it('through a symlink to bin/sprint.js (npm link, /usr/local/bin/sprint)', () => {
    const link = path.join(tmp, 'sprint');
    fs.symlinkSync(path.join(clone, 'bin', 'sprint.js'), link);
    expectHelp(sh(link, ['--help'], tmp));
  }, 120_000);

  it('npm pack (prepare builds dist/) -> global install into a prefix -> sprint --help and --version', () => {
    const packed = sh('npm', ['pack', '--silent', '--pack-destination', tmp], clone, 600_000);
    expect(packed.status).toBe(0);
    const tarball = path.join(tmp, packed.stdout.trim().split('\n').pop()!);
    expect(fs.existsSync(tarball)).toBe(true);
    // the package ships the compiled CLI and the pre-built workflow bundle, not the TypeScript
    const listing = sh('tar', ['-tzf', tarball], tmp).stdout;
    expect(listing).toContain('package/dist/cli/main.js');
    expect(listing).toContain('package/dist/workflow-bundle.js');
    expect(listing).toContain('package/dist/.build-stamp');
    expect(listing).not.toContain('package/cli/main.ts');

    const prefix = path.join(tmp, 'prefix');
    const installed = sh(
      'npm',
      ['install', '-g', '--prefer-offline', '--no-audit', '--prefix', prefix, tarball],
      tmp,
      600_000,
    );
    expect({ status: installed.status, stderr: installed.stderr }).toMatchObject({ status: 0 });
    const sprint = path.join(prefix, 'bin', 'sprint');
    expectHelp(sh(sprint, ['--help'], tmp));
    const v = sh(sprint, ['--version'], tmp);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(version);
  }, 900_000);
});
