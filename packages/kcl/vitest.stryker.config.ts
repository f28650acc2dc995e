import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The kcl unit tests alone, for Stryker (stryker.config.mjs): each mutant reruns the tests that cover it, so the
// property tests and the simulation explore fewer cases than in CI (SIM_RUNS 200, PROPERTY_RUNS 300 there).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/**/*.test.ts'],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
    env: { SIM_RUNS: '30', PROPERTY_RUNS: '100' },
  },
});
