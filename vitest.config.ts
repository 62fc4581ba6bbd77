import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // A page on a loaded 2-core machine may take seconds to show what a poll waits for
          // (a worker starting, a profile read back); 1 s, the default, failed under load.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
