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
    // One module graph per run instead of one per file: a run takes ~5 s instead of ~20 s (most of it importing the
    // AWS SDK). Each run still starts a fresh worker, so Stryker's static mutants (module-level code) are evaluated anew.
    isolate: false,
  },
});
