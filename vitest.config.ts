import { defineConfig } from 'vitest/config';

/**
 * Three tiers in one `npm test`, run one after another (`sequence.groupOrder`) so they never compete for
 * the two cores: `unit` (files in parallel), then `learning` and `browser` (one file at a time).
 * `npm run test:unit` runs the fast tier alone.
 *
 * The rule for `learning`: a file that trains a learner to a threshold or runs experiments end to end
 * (the CLI through child processes). Measured with `npx vitest run --reporter=json` on the 2-core machine at
 * load 4.5: each of these files took 3-34 s and has a test of 2.9 s or more; every `unit` file took under
 * 4 s with no test over 2 s. A new file that trains or spawns experiments goes in this list.
 */
const LEARNING = [
  'tests/sac-*.test.ts',
  'tests/klppo.test.ts',
  'tests/klppo-bandit.test.ts',
  'tests/klppo-tokens.test.ts',
  'tests/kalman.test.ts',
  'tests/soft-lqg.test.ts',
  'tests/worldmodel.test.ts',
  'tests/worldmodel-lqg.test.ts',
  'tests/cli.test.ts',
  'tests/cli-compare.test.ts',
  'tests/cli-gridworld.test.ts',
  'tests/cli-lesson.test.ts',
  'tests/cli-tokens-rlhf.test.ts',
  'tests/cli-width.test.ts',
  'tests/cli-guidance.test.ts',
  'tests/irl.test.ts',
  'tests/rlhf-estimators.test.ts',
  'tests/rlhf-experiment.test.ts',
  'tests/rlhf-learners.test.ts',
  'tests/objective-learners.test.ts',
  'tests/learner-matrix.test.ts',
  'tests/sweep-backends.test.ts',
  'tests/sweep-failfast.test.ts',
  'tests/fuzz-cli.test.ts',
  'tests/train*.test.ts',
  'tests/figures.test.ts',
  'tests/custom-priors.test.ts',
  'tests/dreamer-learns.test.ts',
];
/** Drives Debian's chromium against the vite dev server. */
const BROWSER = ['tests/*.e2e.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['tests/setup/temp-root.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: [...LEARNING, ...BROWSER],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          // The slowest unit test takes ~2 s on a loaded machine: a hang fails in 30 s, not 2 min.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'learning',
          include: LEARNING,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
