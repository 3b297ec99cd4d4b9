/**
 * Nudges through weight space: a network moved part of the way toward the
 * random network of another seed, w ← ca·w + cb·target, with the scene's
 * blend coefficients at `amount` (so a nudge by u toward B is exactly the
 * blend of the two networks at u). A target may carry nudges of its own,
 * which lets any pose between two keyframes be written as one keyframe.
 * Kept apart from the schema so that render workers need not load zod.
 */

export interface Nudge {
  /** The random network to move toward (the scene's init and layers, this seed). */
  readonly seed: number;
  /** 0 leaves the network as it is, 1 replaces it by the target. */
  readonly amount: number;
  /** Nudges of the target itself, applied before it is mixed in. */
  readonly nudge?: readonly Nudge[];
}

export const NUDGE_LIMITS = {
  /** Entries in one list. */
  entries: 32,
  /** Targets nudged within targets. */
  depth: 8,
  /** Entries in all, nested ones included: each costs one random network per new pose. */
  total: 128,
} as const;

function measure(list: readonly Nudge[], depth: number): { depth: number; total: number } {
  let deepest = depth;
  let total = 0;
  for (const n of list) {
    total++;
    if (n.nudge) {
      const inner = measure(n.nudge, depth + 1);
      deepest = Math.max(deepest, inner.depth);
      total += inner.total;
    }
  }
  return { depth: deepest, total };
}

/** Why a nudge list is too large to be a reasonable scene, or undefined. */
export function nudgeProblem(list: readonly Nudge[]): string | undefined {
  const { depth, total } = measure(list, 1);
  if (depth > NUDGE_LIMITS.depth) return `nests nudges ${depth} deep; at most ${NUDGE_LIMITS.depth} levels are allowed`;
  if (total > NUDGE_LIMITS.total) return `holds ${total} nudges in all; at most ${NUDGE_LIMITS.total} are allowed`;
  return undefined;
}

/** A stable text for a nudge list (cache keys, comparisons). */
export function nudgeKey(list: readonly Nudge[] | undefined): string {
  if (!list || list.length === 0) return '';
  return `[${list.map((n) => `${n.seed}@${n.amount}${nudgeKey(n.nudge)}`).join(',')}]`;
}
