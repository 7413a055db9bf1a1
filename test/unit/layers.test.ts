import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * The layer rules of ARCHITECTURE.md are ESLint rules (eslint.config.mjs). This test writes small
 * probe files that break each rule into the real folders, runs the project's ESLint on them, and
 * expects each break to be reported by the rule that owns it. A config change that silently drops a
 * rule fails here.
 */
const root = path.resolve(__dirname, '../..');
const probes: Record<string, string> = {
  'core/__probe_io.ts':
    "import { ArtifactStore } from '../io/artifacts';\nexport const probe = ArtifactStore;\n",
  'core/__probe_node.ts': "import * as fs from 'node:fs';\nexport const probe = fs.existsSync;\n",
  'config/__probe_workflows.ts':
    "import { routeFor } from '../workflows/__probe_cycle_b';\nexport const probe = routeFor;\n",
  'workflows/__probe_builtin.ts': "import { readFileSync } from 'fs';\nexport const probe = readFileSync;\n",
  'workflows/__probe_activity_value.ts':
    "import { createArtifactActivities } from '../activities/artifacts';\nexport const probe = createArtifactActivities;\n",
  'workflows/__probe_cycle_a.ts':
    "import { routeFor } from './__probe_cycle_b';\nexport function cycleA(): string {\n  return routeFor();\n}\n",
  'workflows/__probe_cycle_b.ts':
    "import { cycleA } from './__probe_cycle_a';\nexport function routeFor(): string {\n  return 'q';\n}\nexport const again = cycleA;\n",
  'io/__probe_activity.ts':
    "import { heartbeat } from '@temporalio/activity';\nexport const probe = heartbeat;\n",
};

interface LintMessage {
  ruleId: string | null;
  message: string;
}

describe('layer rules (eslint.config.mjs)', () => {
  let results: Map<string, LintMessage[]>;

  beforeAll(() => {
    // Adding and removing the probes changes their folders' mtimes, which bin/build-state.js reads as
    // an edit: every later `sprint` process of the run (integration workers, the CLI suite) would
    // then compile the sources through tsx instead of running dist/. The folders get their times back.
    const folders = [...new Set(Object.keys(probes).map((file) => path.join(root, path.dirname(file))))];
    const times = folders.map((dir) => ({ dir, stat: fs.statSync(dir) }));
    for (const [file, text] of Object.entries(probes)) fs.writeFileSync(path.join(root, file), text);
    try {
      const run = spawnSync(
        process.execPath,
        [
          path.join(root, 'node_modules/eslint/bin/eslint.js'),
          '--format',
          'json',
          '--no-warn-ignored',
          ...Object.keys(probes),
        ],
        { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const parsed = JSON.parse(run.stdout) as { filePath: string; messages: LintMessage[] }[];
      results = new Map(parsed.map((r) => [path.relative(root, r.filePath), r.messages]));
    } finally {
      for (const file of Object.keys(probes)) fs.rmSync(path.join(root, file), { force: true });
      for (const { dir, stat } of times) fs.utimesSync(dir, stat.atime, stat.mtime);
    }
  }, 180_000);

  const reported = (file: string, rule: string, text: RegExp): boolean =>
    (results.get(file) ?? []).some((m) => m.ruleId === rule && text.test(m.message));

  test.each([
    ['core/__probe_io.ts', '@typescript-eslint/no-restricted-imports', /core\/ imports only core/],
    ['core/__probe_node.ts', '@typescript-eslint/no-restricted-imports', /no Node built-ins/],
    ['config/__probe_workflows.ts', '@typescript-eslint/no-restricted-imports', /config\/ imports only/],
    ['workflows/__probe_builtin.ts', '@typescript-eslint/no-restricted-imports', /deterministic/],
    [
      'workflows/__probe_activity_value.ts',
      '@typescript-eslint/no-restricted-imports',
      /only activity types/,
    ],
    ['workflows/__probe_cycle_a.ts', 'import-x/no-cycle', /cycle/i],
    ['io/__probe_activity.ts', '@typescript-eslint/no-restricted-imports', /without Temporal/],
  ])('%s is reported by %s', (file, rule, text) => {
    expect(reported(file, rule, text)).toBe(true);
  });
});
