/**
 * Which networks gradient descent can teach: every activation needs a
 * derivative, and that derivative must not vanish almost everywhere (a hard
 * threshold's derivative is zero wherever it exists, so no gradient would
 * ever reach the layers below it).
 */
import { ACTIVATIONS, ACTIVATION_NAMES, type Activation, type ActivationName } from '../activations.js';

/** Activations whose derivative is zero almost everywhere, with the reason (none in today's catalogue). */
const WITHOUT_GRADIENT: Partial<Record<ActivationName, string>> = {};

export function isTrainable(name: ActivationName): boolean {
  return typeof ACTIVATIONS[name]?.derivative === 'function' && WITHOUT_GRADIENT[name] === undefined;
}

export const TRAINABLE_ACTIVATIONS: readonly ActivationName[] = ACTIVATION_NAMES.filter(isTrainable);

/** Why the network cannot be trained, or undefined when it can. `layerName(i)` names layer i for the message. */
export function untrainableReason(activations: readonly Activation[], layerName: (index: number) => string): string | undefined {
  for (let i = 0; i < activations.length; i++) {
    const name = activations[i].name;
    if (!isTrainable(name)) {
      const why = WITHOUT_GRADIENT[name] ?? 'it has no derivative';
      return `${layerName(i)} uses ${name}, which cannot be trained by gradient descent (${why}); use any of ${TRAINABLE_ACTIVATIONS.join(', ')}`;
    }
  }
  return undefined;
}
