/** Jest configuration for the whole workspace (one process on these 2-core machines). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    // Workspace packages resolve to their TypeScript sources under this condition.
    customExportConditions: ['@broker-ts/source', 'node', 'require', 'default'],
  },
  roots: ['<rootDir>/packages', '<rootDir>/benchmarks'],
  testMatch: ['**/packages/*/src/**/*.test.ts', '**/packages/*/test/**/*.test.ts', '**/benchmarks/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist/'],
  testTimeout: 30000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/tools/jest-setup.js'],
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
};
