/** Unit tests are pure and fast; integration tests run against a real Temporal dev server. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// hyparquet (Parquet reader) ships only as ES modules: Node loads it through require(), but Jest's
// own module system needs it transpiled to CommonJS, which ts-jest does for plain JavaScript too.
const esmOnly = ['hyparquet', 'hyparquet-writer'];
const esmJest = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', isolatedModules: true } }];
const transform = {
  '^.+\\.ts$': tsJest,
  [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: esmJest,
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/integration-setup.ts'],
    },
  ],
};
