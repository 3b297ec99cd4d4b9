import { defineConfig } from 'vitest/config';
import { PARTS } from './test/system-parts.js';
import { FULL_TIER, FULL_TIER_COMMAND, FULL_TIER_TAG } from './test/tier.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // End-to-end tests spawn the CLI, ffmpeg and worker pools; on a 2-core
    // machine running every file at once makes them fight for cores.
    maxWorkers: 2,
    // One headless Chromium for the whole run (the browser suites connect to it).
    globalSetup: ['./test/global-setup.ts'],
    // The default summary, then what was skipped and why (test/run-summary.ts).
    reporters: ['default', './test/run-summary.ts'],
    // The two tiers (test/tier.ts): the quick one skips the repetitions tagged full-tier.
    tags: [
      { name: FULL_TIER_TAG, description: `a repetition over a catalogue that only ${FULL_TIER_COMMAND} runs`, skip: !FULL_TIER },
      ...Object.values(PARTS).map(({ tag, what }) => ({ name: tag, description: `needs ${what}; skipped where it is missing` })),
    ],
  },
});
