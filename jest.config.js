/**
 * Unit tests are pure and fast; workflow tests run workflows against mocked activities; integration
 * tests run the whole stack against a real Temporal dev server.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// hyparquet (Parquet reader) and hyparquet-writer (test files) ship only ES modules; Node runs them
// through require(esm), but Jest's module system needs them compiled to CommonJS like our own code.
const esmOnly = ['hyparquet', 'hyparquet-writer'];
const esmTransform = {
  [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
  ],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-setup.ts'],
    },
    {
      // The training container on a real Docker engine: builds the trainer image when its inputs
      // changed (half an hour from scratch), so it runs only through `npm run test:container`.
      displayName: 'container',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/container/**/*.test.ts'],
      globalSetup: '<rootDir>/test/container/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-setup.ts'],
    },
    {
      // Workflows against mocked activities (TestWorkflowEnvironment on one shared dev server): seconds each.
      displayName: 'workflow',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/workflow-global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/workflow-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/workflow-setup.ts'],
    },
    {
      // How users reach the CLI: a fresh clone, npm exec, a symlink, npm pack + global install. Slow.
      displayName: 'cli',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/cli/**/*.test.ts'],
    },
    {
      // A real Temporal cluster (PostgreSQL, four server processes, mTLS): infra/temporal/cluster/.
      // Its own command (npm run test:cluster), outside npm test: the first run builds the server.
      displayName: 'cluster',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
    },
  ],
};
