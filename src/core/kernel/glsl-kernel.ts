/**
 * The GPU backend, as text: a GLSL ES 3.0 (WebGL2) fragment shader that
 * evaluates the whole frame — view transform, inputs, every layer, the output
 * mapping and the colour stage — one pixel per fragment. It is the third
 * compilation of the activations' vector programs (after WebAssembly SIMD and
 * JavaScript), so it follows the same formulas step for step.
 *
 * The shader depends only on the network's *shape* and its colour mode.
 * Everything that moves from frame to frame — weights, activation parameters,
 * view, time, latent, palette and colour adjustments — is data, laid out by
 * the table in gpu-inputs.ts (which the WGSL kernel reads too), so a whole
 * journey through weight space runs on one compiled program.
 *
 * GPUs round like IEEE single precision but may fuse a multiply and an add,
 * and accumulate dot products in their own order, so GPU pixels are close to
 * the CPU kernels' rather than bit-identical (see the README's preview notes).
 */
import { ACTIVATIONS, activationCodeKey, type Activation } from '../activations.js';
import type { ColourMode } from '../colour.js';
import type { FeatureSpec } from '../features.js';
import type { NetworkShape } from '../network.js';
import { activationProgram } from './activation-program.js';
import { biasVector, columnVector, gpuFrameLayout, gpuInputExpressions, gpuWeightsLayout, paramPlace, PALETTE_ENTRIES, unrollLayer, vectorsFor } from './gpu-inputs.js';
import { ROUNDING_MAGIC, ROUNDING_MAGIC_BITS, type VectorOp, type VectorProgram } from './vector-program.js';

/** Texels per row of the weights texture (one vec4 of gpu-inputs.ts's weights each). */
export const GLSL_WEIGHTS_ROW = 256;

/** Texture rows that hold the weights of `shape`. */
export function glslWeightsRows(shape: NetworkShape): number {
  return Math.ceil(gpuWeightsLayout(shape).vectors / GLSL_WEIGHTS_ROW);
}

export interface GlslShaderOptions {
  shape: NetworkShape;
  features: FeatureSpec;
  /** How one output channel becomes a colour (three or more channels are always RGB). */
  colourMode: ColourMode;
  /**
   * Where the weights live: a uniform array (the fast path: the layers are
   * unrolled with constant indices) when the GPU has room for them, else a
   * float texture read in loops (any size).
   */
  weightsInUniforms: boolean;
}

/** The uniforms the generated shader declares, by what they hold (gpu-inputs.ts's buffers): whoever feeds the shader binds by these. */
export const GLSL_UNIFORMS = {
  /** The frame block, vec4s. */
  frame: 'u_frame',
  /** The weights as a vec4 array (weightsInUniforms). */
  weights: 'u_w',
  /** The weights as an RGBA32F texture, GLSL_WEIGHTS_ROW texels a row (otherwise). */
  weightsTexture: 'u_weights',
  /** The palette table as a PALETTE_ENTRIES × 1 RGBA32F texture. */
  palette: 'u_palette',
} as const;

/**
 * Whether the weights of `shape` go in a uniform array and the layers are
 * unrolled: when the weights fit beside the frame block, given the fragment
 * shader's uniform vectors, and every layer is narrow enough to unroll (see
 * unrollLayer).
 */
export function glslWeightsFitUniforms(shape: NetworkShape, features: FeatureSpec, maxFragmentUniformVectors: number): boolean {
  const weights = gpuWeightsLayout(shape);
  return weights.layers.every(unrollLayer) && weights.vectors + gpuFrameLayout(shape, features).vectors <= maxFragmentUniformVectors;
}

/** A float literal GLSL reads back as the same single-precision number. */
function literal(value: number): string {
  if (Object.is(value, -0)) return '(-0.0)';
  const text = String(Math.fround(value));
  const withPoint = /[.e]/.test(text) ? text : `${text}.0`;
  return value < 0 ? `(${withPoint})` : withPoint;
}

function expression(op: VectorOp, v: (id: number) => string, magic: string): string {
  switch (op.kind) {
    case 'input':
      return 'x';
    case 'const':
      // The rounding constant comes from a uniform: a compiler that sees
      // (x + M) − M with M a literal may fold it to x, which would skip the rounding.
      return op.value === ROUNDING_MAGIC ? magic : literal(op.value);
    case 'param': {
      const { vector, lane } = paramPlace(op.index);
      return `p${vector}[${lane}]`;
    }
    case 'add':
      return `${v(op.a)} + ${v(op.b)}`;
    case 'sub':
      return `${v(op.a)} - ${v(op.b)}`;
    case 'mul':
      return `${v(op.a)} * ${v(op.b)}`;
    case 'div':
      return `${v(op.a)} / ${v(op.b)}`;
    case 'min':
      return `${v(op.b)} < ${v(op.a)} ? ${v(op.b)} : ${v(op.a)}`;
    case 'max':
      return `${v(op.a)} < ${v(op.b)} ? ${v(op.b)} : ${v(op.a)}`;
    case 'neg':
      return `-${v(op.a)}`;
    case 'abs':
      return `abs(${v(op.a)})`;
    case 'gt':
      return `${v(op.a)} > ${v(op.b)}`;
    case 'select':
      return `${v(op.mask)} ? ${v(op.ifTrue)} : ${v(op.ifFalse)}`;
    case 'pow2':
      return `intBitsToFloat((floatBitsToInt(${v(op.a)}) + ${127 - ROUNDING_MAGIC_BITS}) << 23)`;
    case 'flipIfOdd':
      return `intBitsToFloat(floatBitsToInt(${v(op.a)}) ^ (floatBitsToInt(${v(op.b)}) << 31))`;
  }
}

/**
 * One activation's vector program as a GLSL function of a value and the
 * layer's parameters (`paramVectors` vec4s: p0, p1, …); `magic` reads the
 * rounding constant.
 */
export function glslActivation(program: VectorProgram, name: string, paramVectors: number, magic: string): string {
  const value = (id: number): string => (program.ops[id].kind === 'input' ? 'x' : `v${id}`);
  const lines = program
    .liveOps()
    .filter((id) => program.ops[id].kind !== 'input')
    .map((id) => {
      const op = program.ops[id];
      return `  ${op.kind === 'gt' ? 'bool' : 'float'} v${id} = ${expression(op, value, magic)};`;
    });
  const params = Array.from({ length: paramVectors }, (_, i) => `vec4 p${i}`).join(', ');
  return [`float ${name}(float x, ${params}) {`, ...lines, `  return ${value(program.result.id)};`, '}'].join('\n');
}

export const GLSL_VERTEX_SHADER = `#version 300 es
// One triangle that covers the whole viewport.
void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
`;

const LANES = 'xyzw';

/** The fragment shader for a network shape and colour mode. */
export function glslFragmentShader(options: GlslShaderOptions): string {
  const { shape, features } = options;
  const frame = gpuFrameLayout(shape, features);
  const weights = gpuWeightsLayout(shape);
  const o = frame.offset;
  const f = (offset: number): string => `${GLSL_UNIFORMS.frame}[${offset}]`;
  const magic = `${f(o.canvas)}.z`;
  const paramNames = Array.from({ length: frame.paramVectors }, (_, k) => `p${k}`);
  const activationNames = new Map<string, string>();
  const functions: string[] = [];
  const nameOf = (a: Activation): string => {
    const key = activationCodeKey(a);
    let name = activationNames.get(key);
    if (!name) {
      name = `act${activationNames.size}`;
      activationNames.set(key, name);
      functions.push(glslActivation(activationProgram(a), name, frame.paramVectors, magic));
      const params = paramNames.map((p) => `vec4 ${p}`).join(', ');
      const call = (lane: string): string => `${name}(s.${lane}, ${paramNames.join(', ')})`;
      functions.push(`vec4 ${name}v(vec4 s, ${params}) { return vec4(${call('x')}, ${call('y')}, ${call('z')}, ${call('w')}); }`);
    }
    return name;
  };

  // Inputs in the scene's order: per-pixel x, y, r, then per-frame constants (time, latent).
  const inputs = gpuInputExpressions(features, frame, f);
  const inputVectors = vectorsFor(inputs.length);
  const body: string[] = [`  vec4 a0[${inputVectors}];`];
  for (let g = 0; g < inputVectors; g++) body.push(`  a0[${g}] = vec4(${[0, 1, 2, 3].map((c) => inputs[g * 4 + c] ?? '0.0').join(', ')});`);

  const unrolled = options.weightsInUniforms;
  const w = (index: string | number): string => (unrolled ? `${GLSL_UNIFORMS.weights}[${index}]` : `weightAt(${index})`);
  weights.layers.forEach((l, i) => {
    const act = nameOf(shape.activations[i]);
    const params = Array.from({ length: frame.paramVectors }, (_, k) => f(o.params + i * frame.paramVectors + k)).join(', ');
    body.push(`  vec4 a${i + 1}[${l.groups}];`);
    if (unrolled) {
      // Straight-line code with constant indices: registers instead of indexed memory.
      // bias + x0·column0 + x1·column1 + …: each output summed in the CPU kernels' order.
      for (let g = 0; g < l.groups; g++) {
        const terms = [w(biasVector(l, g))];
        for (let k = 0; k < l.inputs; k++) terms.push(`a${i}[${k >> 2}].${LANES[k & 3]} * ${w(columnVector(l, g, k))}`);
        body.push(`  a${i + 1}[${g}] = ${act}v(${terms.join('\n      + ')}, ${params});`);
      }
      return;
    }
    body.push(`  for (int g = 0; g < ${l.groups}; g++) {`);
    body.push(`    int bias = ${l.offset} + g * ${l.inputs + 1};`);
    body.push(`    vec4 s = ${w('bias')};`);
    body.push(`    for (int k = 0; k < ${l.inputs}; k++) s = s + a${i}[k / 4][k % 4] * ${w('bias + 1 + k')};`);
    body.push(`    a${i + 1}[g] = ${act}v(s, ${params});`);
    body.push(`  }`);
  });

  const last = `a${weights.layers.length}[0]`;
  const range = ACTIVATIONS[shape.activations[shape.activations.length - 1].name].range;
  const unit = (v: string): string => (range === 'symmetric' ? `(${v} + 1.0) * 0.5` : v);
  let colour: string;
  if (shape.outputCount >= 3) {
    colour = `  vec3 rgb = ${unit(`${last}.xyz`)};`;
  } else if (options.colourMode === 'palette') {
    colour = [
      `  float position = ${unit(`${last}.x`)};`,
      // The CPU's lookup: round(clamp(v, 0, 1) · (entries − 1)).
      `  int index = int(floor(clamp(position, 0.0, 1.0) * ${PALETTE_ENTRIES - 1}.0 + 0.5));`,
      `  vec3 rgb = texelFetch(${GLSL_UNIFORMS.palette}, ivec2(index, 0), 0).rgb;`,
    ].join('\n');
  } else {
    colour = `  vec3 rgb = vec3(${unit(`${last}.x`)});`;
  }

  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;

uniform vec4 ${GLSL_UNIFORMS.frame}[${frame.vectors}];
${unrolled ? `uniform vec4 ${GLSL_UNIFORMS.weights}[${weights.vectors}];` : `uniform sampler2D ${GLSL_UNIFORMS.weightsTexture};`}
uniform sampler2D ${GLSL_UNIFORMS.palette};
out vec4 fragColour;

${unrolled ? '' : `vec4 weightAt(int i) {\n  return texelFetch(${GLSL_UNIFORMS.weightsTexture}, ivec2(i % ${GLSL_WEIGHTS_ROW}, i / ${GLSL_WEIGHTS_ROW}), 0);\n}`}

${functions.join('\n\n')}

void main() {
  vec4 canvas = ${f(o.canvas)};
  vec4 view = ${f(o.view)};
  vec4 center = ${f(o.center)};
  // Row 0 is the top of the picture, as in the CPU kernels; GL counts from the bottom.
  float u = gl_FragCoord.x - canvas.x * 0.5;
  float v0 = (canvas.y - gl_FragCoord.y) - canvas.y * 0.5;
  float x = view.z * (u * view.x - v0 * view.y) + center.x;
  float y = view.z * (u * view.y + v0 * view.x) + center.y;
${body.join('\n')}
${colour}
  rgb = vec3(dot(${f(o.colour)}.xyz, rgb), dot(${f(o.colour + 1)}.xyz, rgb), dot(${f(o.colour + 2)}.xyz, rgb));
  vec4 adjust = ${f(o.adjust)};
  if (adjust.w > 0.0) {
    rgb = ((rgb - 0.5) * adjust.x + 0.5) * adjust.y;
    rgb = mix(rgb, 1.0 - rgb, adjust.z);
  }
  // Quantise as the CPU does (round half up) so the framebuffer's own rounding has nothing left to decide.
  rgb = floor(clamp(rgb, 0.0, 1.0) * 255.0 + 0.5) / 255.0;
  fragColour = vec4(rgb, 1.0);
}
`;
}
