import { defineConfig } from 'vitest/config';

const INTEGRATION = [
  'packages/*/tests/**/*.int.test.ts',
  'scripts/tests/**/*.int.test.ts',
  'infra/tests/**/*.int.test.ts',
];
/**
 * Integration files that time something — a takeover within the failover time, a handover
 * within 2 s, a stack that stops within 5 s, a shard's records per second — run one at a
 * time, after the others, so that no other file's processes share the two cores with them.
 */
const TIMED = [
  'packages/consumer/tests/failover.int.test.ts',
  'packages/consumer/tests/cleanStop.int.test.ts',
  'packages/consumer/tests/frozen.int.test.ts',
  'packages/dashboard/tests/dashboard.browser.int.test.ts',
  'packages/local-stack/tests/startLocalStack.int.test.ts',
  'packages/local-stack/tests/shardLimits.int.test.ts',
  'scripts/tests/demo.int.test.ts',
];
const integration = { testTimeout: 180_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/tests/**/*.test.ts', 'infra/tests/**/*.test.ts'],
          // The SDK's notice that its 2027 versions need Node 22, once per test worker on Node 20: noise in the log
          // (the CLIs turn it off the same way, in packages/aws).
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...integration,
          // Each file starts its own embedded stack on free ports: two at a time, as checks of what happened, not of
          // how fast, do not mind sharing the machine.
          name: 'integration',
          include: INTEGRATION,
          exclude: [...TIMED, '**/node_modules/**'],
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-timed',
          include: TIMED,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
