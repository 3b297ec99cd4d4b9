import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // End-to-end tests spawn the CLI, ffmpeg and worker pools; on a 2-core
    // machine running every file at once makes them fight for cores.
    maxWorkers: 2,
  },
});
