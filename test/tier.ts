/**
 * The test suite's two tiers, and the one place its switch is read.
 *
 * The quick tier (the default `npm test`) runs every file and checks each
 * behaviour at least once. It leaves to the full tier
 * (`CPPN_MOTION_TESTS=all npm test`, what .ci/run does):
 * - repetitions over a catalogue (GPU and preview parity over every example
 *   scene and every activation, a fault over every format or command): the
 *   quick tier runs a representative few, chosen so that each kind of case
 *   that has broken before is among them (`representative`);
 * - a second check of a behaviour the quick tier already checks through a
 *   sibling (the same refusal from another command, the same recovery by
 *   another path), and checks that mostly wait on a timer (`FULL_TIER_ONLY`,
 *   each with a comment naming the sibling the quick tier keeps).
 * A check left out is still declared, tagged `full-tier`: vitest.config.ts
 * skips that tag in the quick tier, and the run's last lines count what was
 * left out (run-summary.ts).
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

/** The options of a single check that only the full tier runs. */
export const FULL_TIER_ONLY: TestOptions = { tags: [FULL_TIER_TAG] };

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
 * scene the README starts from (drift: a palette, circle mode), a chaotic one
 * held to PSNR (logistic-pulse) and weights files morphing (weights-morph).
 */
export const EXAMPLE_PICKS = ['drift', 'logistic-pulse', 'weights-morph'];

/**
 * The activations the quick tier checks for parity: the default (sigmoid),
 * the chaotic logistic map, and tanh, whose scene goes out in RGB through a
 * tanh output layer.
 */
export const PARITY_ACTIVATION_PICKS = ['sigmoid', 'logistic', 'tanh'];
