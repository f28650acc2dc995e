// Mutation testing of packages/kcl: `pnpm mutation` (runs from packages/kcl). Results in docs/mutation.md.
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/**/*.ts',
    // Only types or re-exports: nothing to mutate.
    '!src/index.ts',
    '!src/Lease.ts',
    '!src/LeaseStore.ts',
    '!src/RecordProcessor.ts',
    '!src/StreamPort.ts',
  ],
  // Copy only what the tests need into each sandbox (not dist/, examples/, docs/ or reports/).
  ignorePatterns: ['/*', '!/src', '!/tests', '!/package.json', '!/vitest.stryker.config.ts'],
  testRunner: 'vitest',
  // Stryker looks for plugins beside its own package, which pnpm keeps apart: name the runner by its resolved URL.
  plugins: [import.meta.resolve('@stryker-mutator/vitest-runner')],
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  thresholds: { high: 85, low: 80, break: 80 },
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Reruns test only the mutants whose code or covering tests changed; `pnpm mutation --force` runs them all.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
