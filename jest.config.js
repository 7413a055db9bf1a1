/** Unit tests are pure and fast; integration tests run against a real Temporal dev server. */
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
