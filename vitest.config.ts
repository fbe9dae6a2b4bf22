import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // A skipped test fails the run (see the reporter): a missing tool must not pass unnoticed.
    reporters: ['default', './test/helpers/fail-on-skip-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/lab/**'],
        },
      },
      // Lab test files boot real hosts: one file at a time (after the other files), never two labs at once.
      { extends: true, test: { name: 'lab', include: ['test/lab/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
