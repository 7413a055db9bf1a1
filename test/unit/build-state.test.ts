/**
 * bin/build-state.js decides on every `sprint` start whether dist/ is a build of the sources beside
 * it. Checked on a throwaway tree whose mtimes are set explicitly (no sleeping on the clock).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS module shared with bin/
const { buildState, stampText } = require('../../bin/build-state') as {
  buildState: (root: string) => 'fresh' | 'stale' | 'missing';
  stampText: (root: string) => string;
};

const past = new Date('2026-01-01T00:00:00Z');
const built = new Date('2026-01-02T00:00:00Z');
const later = new Date('2026-01-03T00:00:00Z');

function write(root: string, rel: string, text: string, at: Date = past): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  fs.utimesSync(p, at, at);
}

/** A checkout with two source folders and a build stamped after every source (folders included). */
function checkout(stamp: (root: string) => string = stampText): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-build-state-'));
  write(root, 'cli/main.ts', 'export {};\n');
  write(root, 'core/format/plan.ts', 'export {};\n');
  write(root, 'tsconfig.json', '{}\n');
  write(root, 'dist/cli/main.js', '');
  for (const d of ['cli', 'core', 'core/format']) fs.utimesSync(path.join(root, d), past, past);
  write(root, 'dist/.build-stamp', stamp(root), built);
  return root;
}

describe('buildState', () => {
  it('is fresh right after a build', () => {
    expect(buildState(checkout())).toBe('fresh');
  });

  it('is stale once a source is edited after the build', () => {
    const root = checkout();
    fs.utimesSync(path.join(root, 'core/format/plan.ts'), later, later);
    expect(buildState(root)).toBe('stale');
  });

  it('is stale once a build setting changes', () => {
    const root = checkout();
    fs.utimesSync(path.join(root, 'tsconfig.json'), later, later);
    expect(buildState(root)).toBe('stale');
  });

  it('is stale when a source file is added or removed (its folder changes)', () => {
    const added = checkout();
    fs.writeFileSync(path.join(added, 'core/format/new.ts'), 'export {};\n');
    expect(buildState(added)).toBe('stale');
    const removed = checkout();
    fs.rmSync(path.join(removed, 'core/format/plan.ts'));
    expect(buildState(removed)).toBe('stale');
  });

  it('is missing without a stamp or without the compiled entry', () => {
    const noStamp = checkout();
    fs.rmSync(path.join(noStamp, 'dist/.build-stamp'));
    expect(buildState(noStamp)).toBe('missing');
    const noMain = checkout();
    fs.rmSync(path.join(noMain, 'dist/cli/main.js'));
    expect(buildState(noMain)).toBe('missing');
  });

  it('is fresh in an installed package (dist/ without the TypeScript sources)', () => {
    const root = checkout();
    fs.rmSync(path.join(root, 'cli/main.ts'));
    fs.rmSync(path.join(root, 'core'), { recursive: true });
    expect(buildState(root)).toBe('fresh');
  });

  it('walks the sources when the stamp has no manifest (a build from before the manifest)', () => {
    const root = checkout(() => '2026-01-02T00:00:00.000Z\n');
    expect(buildState(root)).toBe('fresh');
    fs.utimesSync(path.join(root, 'core/format/plan.ts'), later, later);
    expect(buildState(root)).toBe('stale');
  });
});
