/**
 * Breeding: a handful of variations of a scene, each a plain valid scene made
 * by one mutation operator, all different from the scene and from each
 * other. Deterministic: the same scene, strength and seed give the same
 * variations, in the page and on the command line alike.
 */
import { SeededRandom } from '../../core/index.js';
import { UserError } from '../../errors.js';
import { validateSceneData } from '../load.js';
import type { SceneFile } from '../schema.js';
import { MUTATIONS, type MutationOperator } from './mutations.js';
import { sameData } from './scene-edits.js';
import { BREED_LIMITS, DEFAULT_STRENGTH } from './limits.js';

export interface Variation {
  /** The operator that made it (its name in MUTATIONS). */
  operator: string;
  /** What changed, in a few words. */
  label: string;
  scene: SceneFile;
}

export interface BreedOptions {
  /** How many variations (default 8). */
  count?: number;
  /** 0 to 1: how far each variation moves from the scene (default 0.3). */
  strength?: number;
  /** Seeds the choices: the same seed gives the same variations. */
  seed: number;
  /** Only these operators (default: all). */
  operators?: readonly string[];
}

export { BREED_LIMITS, DEFAULT_STRENGTH } from './limits.js';

/** Tries per variation before giving up on an operator that keeps making the same or an invalid scene. */
const TRIES = 8;

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The operators that can change this scene, and why each of the others cannot. */
export function availableMutations(scene: SceneFile, names?: readonly string[]): { operators: MutationOperator[]; unavailable: Array<{ name: string; reason: string }> } {
  const operators: MutationOperator[] = [];
  const unavailable: Array<{ name: string; reason: string }> = [];
  for (const operator of MUTATIONS) {
    if (names && !names.includes(operator.name)) continue;
    const reason = operator.unavailable?.(scene);
    if (reason) unavailable.push({ name: operator.name, reason });
    else operators.push(operator);
  }
  return { operators, unavailable };
}

/**
 * Variations of `scene` (validated, paths as written). Each operator is used
 * once before any is used again, in an order drawn from the seed, so eight
 * variations of a scene every operator can change show one of each.
 */
export function breed(scene: SceneFile, options: BreedOptions): Variation[] {
  const count = options.count ?? 8;
  const strength = options.strength ?? DEFAULT_STRENGTH;
  if (!Number.isInteger(count) || count < 1 || count > BREED_LIMITS.count) throw new UserError(`count ${count} is not allowed; ask for 1 to ${BREED_LIMITS.count} variations`);
  if (!(strength > 0 && strength <= 1)) throw new UserError(`strength ${strength} is not allowed; use a number above 0 and at most 1`);
  const unknown = options.operators?.filter((name) => !MUTATIONS.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) throw new UserError(`unknown mutation ${unknown.join(', ')}; use any of ${MUTATIONS.map((m) => m.name).join(', ')}`);
  const random = new SeededRandom(options.seed);
  const { operators } = availableMutations(scene, options.operators);
  const variations: Variation[] = [];
  const seen: SceneFile[] = [scene];
  let order: MutationOperator[] = [];
  let failures = 0;
  while (variations.length < count && operators.length > 0 && failures < TRIES * Math.max(count, operators.length)) {
    if (order.length === 0) order = shuffled(operators, random);
    const operator = order.shift()!;
    const mutation = operator.mutate(scene, { random, strength });
    let valid: SceneFile | undefined;
    try {
      valid = mutation && validateSceneData(mutation.scene);
    } catch {
      // Too many weights, say: this operator's change does not fit this scene.
      valid = undefined;
    }
    if (!mutation || !valid || seen.some((s) => sameData(s, valid))) {
      failures++;
      continue;
    }
    seen.push(valid);
    variations.push({ operator: operator.name, label: mutation.label, scene: valid });
  }
  return variations;
}
