// Type-aware linting: no-floating-promises catches un-awaited activity calls and fetches.
// eslint-plugin-import-x enforces the layers of the house (ARCHITECTURE.md) and finds import cycles;
// it is the maintained flat-config fork of eslint-plugin-import, with a TypeScript-aware resolver.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Every Node built-in, bare and `node:`-prefixed, with subpaths (`fs/promises`).
const nodeBuiltins = [...builtinModules.flatMap((m) => [m, `${m}/*`]), 'node:*'];

/** A `no-restricted-imports` rule whose relative patterns are the layers a folder may not reach. */
function layerRule(patterns) {
  return { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] };
}
const layers = {
  io: ['**/io', '**/io/*', '**/io/**'],
  activities: ['**/activities', '**/activities/*', '**/activities/**'],
  workflows: ['**/workflows', '**/workflows/*', '**/workflows/**'],
  workers: ['**/workers', '**/workers/*', '**/workers/**'],
  cli: ['**/cli', '**/cli/*', '**/cli/**'],
  config: ['**/config', '**/config/*', '**/config/**'],
  infra: ['**/infra', '**/infra/*', '**/infra/**'],
  bench: ['**/bench/**'],
  test: ['**/test/**'],
};
const forbid = (names, message) => ({ group: names.flatMap((n) => layers[n]), message });

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.sprint/**',
      '.tools/**',
      '.venv/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Parse .ts dependencies with the TypeScript parser so no-cycle can follow them.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Activities are plain async functions by convention, awaiting or not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      // Type-only imports are written as such (they vanish from the emitted JS and the workflow bundle).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
    },
  },
  {
    // core/ is pure: only core/ (and pure npm libraries), no Node built-ins, no I/O layers.
    files: ['core/**/*.ts'],
    rules: layerRule([
      forbid(
        ['io', 'activities', 'workflows', 'workers', 'cli', 'config', 'infra', 'bench', 'test'],
        'core/ imports only core/.',
      ),
      { group: nodeBuiltins, message: 'core/ is pure: no Node built-ins (no I/O, no clocks).' },
      { group: ['@temporalio/*'], message: 'core/ knows nothing of Temporal.' },
    ]),
  },
  {
    // config/ is data and its schema: it may use core/ and itself.
    files: ['config/**/*.ts'],
    rules: layerRule([
      forbid(
        ['io', 'activities', 'workflows', 'workers', 'cli', 'infra', 'bench', 'test'],
        'config/ imports only core/ and config/.',
      ),
      { group: ['@temporalio/*'], message: 'config/ knows nothing of Temporal.' },
    ]),
  },
  {
    // io/ is plain I/O usable from the CLI and tests: no activity context, no workflows, no workers.
    files: ['io/**/*.ts'],
    rules: layerRule([
      forbid(
        ['activities', 'workflows', 'workers', 'cli', 'bench', 'test'],
        'io/ imports only core/, config/ and io/.',
      ),
      {
        group: ['@temporalio/activity', '@temporalio/workflow', '@temporalio/worker', '@temporalio/client'],
        message: 'io/ runs without Temporal (only @temporalio/common errors are allowed).',
      },
    ]),
  },
  {
    // activities/ wraps io/ for Temporal; it never reaches up into workflows, workers or the CLI.
    files: ['activities/**/*.ts'],
    rules: layerRule([
      forbid(
        ['workflows', 'workers', 'cli', 'bench', 'test'],
        'activities/ import core/, config/, io/ and activities/.',
      ),
    ]),
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O modules.
    files: ['workflows/**/*.ts'],
    rules: layerRule([
      { group: nodeBuiltins, message: 'Workflows must stay deterministic: no Node built-ins.' },
      forbid(
        ['io', 'workers', 'cli', 'infra', 'bench', 'test'],
        'Workflows import core/, config/, workflows/ and activity types only.',
      ),
      {
        ...forbid(['activities'], 'Workflows import only activity types (import type ...).'),
        allowTypeImports: true,
      },
      {
        group: ['@temporalio/worker', '@temporalio/activity', '@temporalio/client'],
        message: 'Workflows use @temporalio/workflow.',
      },
    ]),
  },
);
