/**
 * The test suite's two tiers, and the one place its switch is read.
 *
 * The quick tier (the default `npm test`) runs every file and every kind of
 * check; where a check is repeated over a whole catalogue (GPU and preview
 * parity over every example scene and every activation), it runs on a
 * representative few, chosen so that each kind of picture that has broken
 * before is among them. The full tier (`CPPN_MOTION_TESTS=all npm test`, what
 * .ci/run does) runs every repetition. A check left out is still declared,
 * tagged `full-tier`: vitest.config.ts skips that tag in the quick tier, and
 * the run's last lines count what was left out (run-summary.ts).
 */
import type { TestOptions } from 'vitest';

const TIERS = ['quick', 'all'] as const;
const asked = process.env.CPPN_MOTION_TESTS ?? 'quick';
if (!(TIERS as readonly string[]).includes(asked)) {
  throw new Error(`CPPN_MOTION_TESTS=${asked}: expected ${TIERS.join(' or ')} (unset is quick)`);
}

/** Whether every repetition runs (CPPN_MOTION_TESTS=all). */
export const FULL_TIER = asked === 'all';

/** The tag of a check that runs in the full tier only. */
export const FULL_TIER_TAG = 'full-tier';

/** How to run the checks the quick tier leaves out. */
export const FULL_TIER_COMMAND = 'CPPN_MOTION_TESTS=all npm test';

/**
 * Every item with the test options it runs under: the `picks` in both tiers,
 * the others in the full tier only. A pick that is not in the list is an
 * error, so that a renamed scene cannot drop out of the quick tier unseen.
 */
export function representative<T>(all: readonly T[], picks: readonly T[]): Array<[T, TestOptions]> {
  const missing = picks.filter((pick) => !all.includes(pick));
  if (missing.length > 0) throw new Error(`representative picks not in the list: ${missing.join(', ')}`);
  return all.map((item) => [item, picks.includes(item) ? {} : { tags: [FULL_TIER_TAG] }]);
}

/**
 * The example scenes the quick tier checks for parity (GPU and preview): the
 * scene the README starts from (drift: a palette, circle mode), a latent walk
 * in RGB (latent-walk), a chaotic one held to PSNR (logistic-pulse), weights
 * files morphing (weights-morph), a network without hidden layers (depth-0)
 * and an RGB still (mondrian).
 */
export const EXAMPLE_PICKS = ['drift', 'latent-walk', 'logistic-pulse', 'weights-morph', 'depth-0', 'mondrian'];

/**
 * The activations the quick tier checks for parity: the default (sigmoid), a
 * periodic one (sin), a bump (gaussian), a kink (relu), the chaotic logistic
 * map and tanh, whose scene goes out in RGB through a tanh output layer.
 */
export const PARITY_ACTIVATION_PICKS = ['sigmoid', 'sin', 'gaussian', 'relu', 'logistic', 'tanh'];
