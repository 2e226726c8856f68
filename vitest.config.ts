import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The example imports the package by name, as a real service does; in tests the names mean the
  // sources, so the example and the tests share one copy of the runtime (as tsconfig.json's paths).
  resolve: {
    alias: [
      { find: /^serverless-ions\/runtime$/, replacement: source('./runtime/index.ts') },
      { find: /^serverless-ions\/adapter$/, replacement: source('./adapter/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    setupFiles: ['./test/support/setup.ts'],
    // Suites start real servers (PostgreSQL, S3, DynamoDB stand-ins, nodes); two cores cannot run many at once.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
