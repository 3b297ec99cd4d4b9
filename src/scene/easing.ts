/**
 * Easing curves for keyframe segments: u in [0, 1] → eased progress in [0, 1]
 * (cubic-bezier curves may overshoot). Deterministic arithmetic only.
 */
import { shortened } from '../errors.js';
import { closest } from './suggest.js';
import { detCos, detPow, detSin } from '../core/index.js';

export const EASING_NAMES = [
  'linear',
  'hold',
  'in-sine',
  'out-sine',
  'in-out-sine',
  'in-quad',
  'out-quad',
  'in-out-quad',
  'in-cubic',
  'out-cubic',
  'in-out-cubic',
  'in-expo',
  'out-expo',
  'in-out-expo',
] as const;
export type EasingName = (typeof EASING_NAMES)[number];

export type Easing = (u: number) => number;

const HALF_PI = Math.PI / 2;

const NAMED: Record<EasingName, Easing> = {
  linear: (u) => u,
  // Holds the segment's starting value until the next keyframe.
  hold: (u) => (u >= 1 ? 1 : 0),
  'in-sine': (u) => 1 - detCos(u * HALF_PI),
  'out-sine': (u) => detSin(u * HALF_PI),
  'in-out-sine': (u) => (1 - detCos(u * Math.PI)) / 2,
  'in-quad': (u) => u * u,
  'out-quad': (u) => 1 - (1 - u) * (1 - u),
  'in-out-quad': (u) => (u < 0.5 ? 2 * u * u : 1 - 2 * (1 - u) * (1 - u)),
  'in-cubic': (u) => u * u * u,
  'out-cubic': (u) => 1 - (1 - u) ** 3,
  'in-out-cubic': (u) => (u < 0.5 ? 4 * u * u * u : 1 - 4 * (1 - u) ** 3),
  'in-expo': (u) => (u <= 0 ? 0 : detPow(2, 10 * u - 10)),
  'out-expo': (u) => (u >= 1 ? 1 : 1 - detPow(2, -10 * u)),
  'in-out-expo': (u) => (u <= 0 ? 0 : u >= 1 ? 1 : u < 0.5 ? detPow(2, 20 * u - 10) / 2 : (2 - detPow(2, -20 * u + 10)) / 2),
};

const BEZIER = /^cubic-bezier\(\s*([-+0-9.e]+)\s*,\s*([-+0-9.e]+)\s*,\s*([-+0-9.e]+)\s*,\s*([-+0-9.e]+)\s*\)$/i;

/** Why `text` is not an easing, or undefined when it is one. */
export function easingProblem(text: string): string | undefined {
  if ((EASING_NAMES as readonly string[]).includes(text)) return undefined;
  const m = BEZIER.exec(text.trim());
  if (!m) {
    const guess = closest(text, EASING_NAMES);
    return `"${shortened(text)}" is not an easing${guess ? ` (did you mean "${guess}"?)` : ''}; use one of ${EASING_NAMES.join(', ')}, or cubic-bezier(x1, y1, x2, y2)`;
  }
  const [x1, , x2] = m.slice(1).map(Number);
  if ([x1, x2].some((x) => !(x >= 0 && x <= 1))) return `in "${text}" x1 and x2 must lie in [0, 1] (the curve must move forward in time)`;
  if (m.slice(1).some((v) => !Number.isFinite(Number(v)))) return `"${text}" has a number that is not finite`;
  return undefined;
}

/** CSS's cubic-bezier timing function: solves x(s) = u for s, returns y(s). */
function cubicBezier(x1: number, y1: number, x2: number, y2: number): Easing {
  const coordinate = (s: number, p1: number, p2: number): number => {
    const t = 1 - s;
    return 3 * t * t * s * p1 + 3 * t * s * s * p2 + s * s * s;
  };
  return (u) => {
    if (u <= 0) return 0;
    if (u >= 1) return 1;
    // x(s) is monotone for x1, x2 in [0, 1]: bisection is exact enough and deterministic.
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (coordinate(mid, x1, x2) < u) lo = mid;
      else hi = mid;
    }
    return coordinate((lo + hi) / 2, y1, y2);
  };
}

/** The easing function for a name or cubic-bezier(...) (validated beforehand). */
export function easing(text: string): Easing {
  const named = NAMED[text as EasingName];
  if (named) return named;
  const m = BEZIER.exec(text.trim());
  if (!m) throw new RangeError(easingProblem(text));
  const [x1, y1, x2, y2] = m.slice(1).map(Number);
  return cubicBezier(x1, y1, x2, y2);
}
