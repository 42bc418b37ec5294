import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/support/long-files-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs backends are process-global singletons: separate processes keep test files independent.
    pool: 'forks',
    // At least two files at once, even on 2 cores (vitest's default is one less than the cores):
    // much of a file's time is spent starting processes and waiting on them, and the longest file
    // (train-fashion-mnist) would otherwise hold up all the rest.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongFilesFirst },
    // Limits that only stop a hung test: on a loaded 2-core machine a test takes several times
    // longer than alone (at load 16, the 100-candidate webgpu memory test ran past 5 min), and
    // tests wait for what they check, never for a time.
    testTimeout: 1_200_000,
    hookTimeout: 1_200_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
