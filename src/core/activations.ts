/**
 * The activation catalogue. Each entry is described once and used three ways:
 * a float64 reference (for tests, charts and the accuracy check), its
 * derivative (for the activation sheet), and a vector program that the kernels
 * compile (SIMD WebAssembly, or scalar JavaScript with identical results).
 */
import * as vm from './kernel/vector-math.js';
import type { Value, VectorProgram } from './kernel/vector-program.js';

export const ACTIVATION_NAMES = [
  'sigmoid',
  'tanh',
  'hardtanh',
  'relu',
  'leaky-relu',
  'elu',
  'selu',
  'celu',
  'softplus',
  'swish',
  'mish',
  'sin',
  'cos',
  'gaussian',
  'identity',
  'logistic',
] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export const LOGISTIC_SQUASHES = ['clamp', 'sigmoid', 'cos'] as const;
export type LogisticSquash = (typeof LOGISTIC_SQUASHES)[number];

/**
 * A fully resolved activation: its name, its numeric parameters (which may be
 * animated frame by frame) and its structural options (which shape the code).
 */
export interface Activation {
  name: ActivationName;
  /** cos, sin, and logistic with the cos squash: the f in cos(f·x). */
  frequency: number;
  /** leaky-relu's slope for x < 0. */
  slope: number;
  /** elu and celu's α; swish's β. */
  alpha: number;
  /** logistic map growth rate R. */
  r: number;
  /** logistic map: how many times x ← R·x·(1 − x) is applied. */
  iterations: number;
  /** logistic map: how x is first squashed into (0, 1). */
  squash: LogisticSquash;
}

/** Where an activation's values lie; decides how an output maps to colour. */
export type OutputRange = 'unit' | 'symmetric' | 'unbounded';

/** The numeric parameters, in the order the kernels read them. */
export const ACTIVATION_PARAMS = ['frequency', 'slope', 'alpha', 'r'] as const;
export type ActivationParam = (typeof ACTIVATION_PARAMS)[number];

export interface ActivationDefinition {
  name: ActivationName;
  summary: string;
  /** Which of the numeric parameters this activation reads. */
  params: readonly ActivationParam[];
  range: OutputRange;
  reference(x: number, a: Activation): number;
  derivative(x: number, a: Activation): number;
  build(p: VectorProgram, x: Value, a: Activation, param: (name: ActivationParam) => Value): Value;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const sigmoid64 = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus64 = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

function squash64(x: number, a: Activation): number {
  switch (a.squash) {
    case 'clamp':
      return Math.min(Math.max(x, 0), 1);
    case 'sigmoid':
      return sigmoid64(x);
    case 'cos':
      return Math.cos(a.frequency * x) * 0.5 + 0.5;
  }
}

function squashDerivative64(x: number, a: Activation): number {
  switch (a.squash) {
    case 'clamp':
      return x > 0 && x < 1 ? 1 : 0;
    case 'sigmoid':
      return sigmoid64(x) * (1 - sigmoid64(x));
    case 'cos':
      return -0.5 * a.frequency * Math.sin(a.frequency * x);
  }
}

function logistic64(x: number, a: Activation): number {
  let v = squash64(x, a);
  for (let i = 0; i < a.iterations; i++) v = a.r * v * (1 - v);
  return v;
}

function logisticDerivative64(x: number, a: Activation): number {
  let v = squash64(x, a);
  let d = squashDerivative64(x, a);
  for (let i = 0; i < a.iterations; i++) {
    d = a.r * (1 - 2 * v) * d;
    v = a.r * v * (1 - v);
  }
  return d;
}

function defineAll(): Record<ActivationName, ActivationDefinition> {
  const list: ActivationDefinition[] = [
    {
      name: 'sigmoid',
      summary: '1 / (1 + e^-x)',
      params: [],
      range: 'unit',
      reference: sigmoid64,
      derivative: (x) => sigmoid64(x) * (1 - sigmoid64(x)),
      build: (p, x) => vm.sigmoid(p, x),
    },
    {
      name: 'tanh',
      summary: 'hyperbolic tangent',
      params: [],
      range: 'symmetric',
      reference: Math.tanh,
      derivative: (x) => 1 - Math.tanh(x) ** 2,
      build: (p, x) => vm.tanh(p, x),
    },
    {
      name: 'hardtanh',
      summary: 'x clamped to [-1, 1]',
      params: [],
      range: 'symmetric',
      reference: (x) => Math.min(Math.max(x, -1), 1),
      derivative: (x) => (x > -1 && x < 1 ? 1 : 0),
      build: (p, x) => p.clamp(x, -1, 1),
    },
    {
      name: 'relu',
      summary: 'max(x, 0)',
      params: [],
      range: 'unbounded',
      reference: (x) => Math.max(x, 0),
      derivative: (x) => (x > 0 ? 1 : 0),
      build: (p, x) => p.max(x, p.constant(0)),
    },
    {
      name: 'leaky-relu',
      summary: 'x for x > 0, slope·x otherwise',
      params: ['slope'],
      range: 'unbounded',
      reference: (x, a) => (x > 0 ? x : a.slope * x),
      derivative: (x, a) => (x > 0 ? 1 : a.slope),
      build: (p, x, _a, param) =>
        p.select(p.gt(x, p.constant(0)), x, p.mul(x, param('slope'))),
    },
    {
      name: 'elu',
      summary: 'x for x > 0, α(e^x − 1) otherwise',
      params: ['alpha'],
      range: 'unbounded',
      reference: (x, a) => (x > 0 ? x : a.alpha * Math.expm1(x)),
      derivative: (x, a) => (x > 0 ? 1 : a.alpha * Math.exp(x)),
      build: (p, x, _a, param) => eluProgram(p, x, param('alpha')),
    },
    {
      name: 'selu',
      summary: 'λ·elu(x) with α = 1.6733, λ = 1.0507',
      params: [],
      range: 'unbounded',
      reference: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
      derivative: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
      build: (p, x) => p.mul(p.constant(SELU_SCALE), eluProgram(p, x, p.constant(SELU_ALPHA))),
    },
    {
      name: 'celu',
      summary: 'max(0, x) + min(0, α(e^(x/α) − 1))',
      params: ['alpha'],
      range: 'unbounded',
      reference: (x, a) => Math.max(0, x) + Math.min(0, a.alpha * Math.expm1(x / a.alpha)),
      derivative: (x, a) => (x > 0 ? 1 : Math.exp(x / a.alpha)),
      build: (p, x, _a, param) => {
        const alpha = param('alpha');
        const zero = p.constant(0);
        const negative = p.mul(alpha, p.sub(vm.exp(p, p.div(p.min(x, zero), alpha)), p.constant(1)));
        return p.add(p.max(x, zero), negative);
      },
    },
    {
      name: 'softplus',
      summary: 'log(1 + e^x)',
      params: [],
      range: 'unbounded',
      reference: softplus64,
      derivative: sigmoid64,
      build: (p, x) => vm.softplus(p, x),
    },
    {
      name: 'swish',
      summary: 'x·sigmoid(β·x) (β = alpha, 1 by default: SiLU)',
      params: ['alpha'],
      range: 'unbounded',
      reference: (x, a) => x * sigmoid64(a.alpha * x),
      derivative: (x, a) => {
        const s = sigmoid64(a.alpha * x);
        return s + a.alpha * x * s * (1 - s);
      },
      build: (p, x, _a, param) => p.mul(x, vm.sigmoid(p, p.mul(param('alpha'), x))),
    },
    {
      name: 'mish',
      summary: 'x·tanh(softplus(x))',
      params: [],
      range: 'unbounded',
      reference: (x) => x * Math.tanh(softplus64(x)),
      derivative: (x) => {
        const t = Math.tanh(softplus64(x));
        return t + x * (1 - t * t) * sigmoid64(x);
      },
      build: (p, x) => {
        // tanh(log(1 + n)) = (n² + 2n) / (n² + 2n + 2) with n = e^x: one exp, no log.
        // Above x = 20 the ratio is 1 in single precision, so the exp is capped there.
        const n = vm.exp(p, p.min(x, p.constant(20)));
        const top = p.mul(n, p.add(n, p.constant(2)));
        return p.mul(x, p.div(top, p.add(top, p.constant(2))));
      },
    },
    {
      name: 'sin',
      summary: 'sin(f·x)',
      params: ['frequency'],
      range: 'symmetric',
      reference: (x, a) => Math.sin(a.frequency * x),
      derivative: (x, a) => a.frequency * Math.cos(a.frequency * x),
      build: (p, x, _a, param) => vm.sin(p, p.mul(param('frequency'), x)),
    },
    {
      name: 'cos',
      summary: 'cos(f·x)',
      params: ['frequency'],
      range: 'symmetric',
      reference: (x, a) => Math.cos(a.frequency * x),
      derivative: (x, a) => -a.frequency * Math.sin(a.frequency * x),
      build: (p, x, _a, param) => vm.cos(p, p.mul(param('frequency'), x)),
    },
    {
      name: 'gaussian',
      summary: 'e^(−x²)',
      params: [],
      range: 'unit',
      reference: (x) => Math.exp(-x * x),
      derivative: (x) => -2 * x * Math.exp(-x * x),
      build: (p, x) => vm.exp(p, p.neg(p.mul(x, x))),
    },
    {
      name: 'identity',
      summary: 'x',
      params: [],
      range: 'unbounded',
      reference: (x) => x,
      derivative: () => 1,
      build: (_p, x) => x,
    },
    {
      name: 'logistic',
      summary: 'squash to (0, 1), then x ← R·x·(1 − x), n times',
      params: ['r', 'frequency'],
      range: 'unit',
      reference: logistic64,
      derivative: logisticDerivative64,
      build: (p, x, a, param) => {
        let v: Value;
        if (a.squash === 'clamp') v = p.clamp(x, 0, 1);
        else if (a.squash === 'sigmoid') v = vm.sigmoid(p, x);
        else {
          const half = p.constant(0.5);
          v = p.mulAdd(vm.cos(p, p.mul(param('frequency'), x)), half, half);
        }
        const r = param('r');
        const one = p.constant(1);
        for (let i = 0; i < a.iterations; i++) v = p.mul(p.mul(r, v), p.sub(one, v));
        return v;
      },
    },
  ];
  return Object.fromEntries(list.map((d) => [d.name, d])) as Record<ActivationName, ActivationDefinition>;
}

function eluProgram(p: VectorProgram, x: Value, alpha: Value): Value {
  const zero = p.constant(0);
  const negative = p.mul(alpha, p.sub(vm.exp(p, p.min(x, zero)), p.constant(1)));
  return p.select(p.gt(x, zero), x, negative);
}

export const ACTIVATIONS: Readonly<Record<ActivationName, ActivationDefinition>> = defineAll();

export const ACTIVATION_DEFAULTS: Omit<Activation, 'name'> = {
  frequency: 1,
  slope: 0.01,
  alpha: 1,
  r: 3.75843,
  iterations: 2,
  squash: 'sigmoid',
};

export function activation(name: ActivationName, options: Partial<Omit<Activation, 'name'>> = {}): Activation {
  return { name, ...ACTIVATION_DEFAULTS, ...options };
}

/** Evaluates an activation in float64. */
export function applyActivation(a: Activation, x: number): number {
  return ACTIVATIONS[a.name].reference(x, a);
}

/** A key that identifies the generated code for an activation (numeric params excluded). */
export function activationCodeKey(a: Activation): string {
  return a.name === 'logistic' ? `logistic/${a.squash}/${a.iterations}` : a.name;
}
