/** An activation as a vector program, the form both kernels compile. */
import { ACTIVATIONS, ACTIVATION_PARAMS, type Activation, type ActivationParam } from '../activations.js';
import { VectorProgram } from './vector-program.js';

/** Builds the element-wise program of one activation. */
export function activationProgram(activation: Activation): VectorProgram {
  const program = new VectorProgram();
  const param = (name: ActivationParam): ReturnType<VectorProgram['param']> =>
    program.param(ACTIVATION_PARAMS.indexOf(name));
  program.result = ACTIVATIONS[activation.name].build(program, program.input, activation, param);
  return program;
}

