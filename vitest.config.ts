import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the `source` export condition points
// every @likelihood/* package at its src/index.ts, so no build step is needed.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/docs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
