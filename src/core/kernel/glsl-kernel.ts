/**
 * The GPU backend, as text: a GLSL ES 3.0 (WebGL2) fragment shader that
 * evaluates the whole frame — view transform, inputs, every layer, the output
 * mapping and the colour stage — one pixel per fragment. It is the third
 * compilation of the activations' vector programs (after WebAssembly SIMD and
 * JavaScript), so it follows the same formulas step for step.
 *
 * The shader depends only on the network's *shape* and its colour mode.
 * Everything that moves from frame to frame — weights, activation parameters,
 * view, time, latent, palette and colour adjustments — is data (uniforms and
 * textures), so a whole journey through weight space runs on one compiled
 * program.
 *
 * GPUs round like IEEE single precision but may fuse a multiply and an add,
 * and accumulate dot products in their own order, so GPU pixels are close to
 * the CPU kernels' rather than bit-identical (see the README's preview notes).
 */
import { ACTIVATIONS, ACTIVATION_PARAMS, activationCodeKey, type Activation } from '../activations.js';
import type { ColourMode } from '../colour.js';
import type { FeatureSpec } from '../features.js';
import { layerSizes, type NetworkShape, type NetworkWeights } from '../network.js';
import { activationProgram } from './activation-program.js';
import { ROUNDING_MAGIC, ROUNDING_MAGIC_BITS, type VectorOp, type VectorProgram } from './vector-program.js';

/** Texels per row of the weights texture (4 floats each). */
export const GLSL_WEIGHTS_ROW = 256;

/** Where one layer's weights and biases sit in the packed weights (in vec4 units). */
export interface GlslLayerLayout {
  inputs: number;
  outputs: number;
  /** vec4s per weight row: the inputs padded to a multiple of 4 with zeros. */
  inputVectors: number;
  weightOffset: number;
  biasOffset: number;
}

export interface GlslWeightsLayout {
  layers: GlslLayerLayout[];
  /** Total vec4s. */
  vectors: number;
}

export function glslWeightsLayout(shape: NetworkShape): GlslWeightsLayout {
  let at = 0;
  const layers = layerSizes(shape).map(([inputs, outputs]) => {
    const inputVectors = Math.ceil(inputs / 4);
    const weightOffset = at;
    at += inputVectors * outputs;
    const biasOffset = at;
    at += Math.ceil(outputs / 4);
    return { inputs, outputs, inputVectors, weightOffset, biasOffset };
  });
  return { layers, vectors: at };
}

/**
 * The weights as vec4s in the shader's layout, rows padded to whole texture
 * rows. Padding stays zero, so padded lanes add nothing to a sum.
 */
export function packGlslWeights(shape: NetworkShape, weights: NetworkWeights, out?: Float32Array): Float32Array {
  const layout = glslWeightsLayout(shape);
  const rows = Math.ceil(layout.vectors / GLSL_WEIGHTS_ROW);
  const size = rows * GLSL_WEIGHTS_ROW * 4;
  const packed = out && out.length === size ? out : new Float32Array(size);
  packed.fill(0);
  layout.layers.forEach((l, i) => {
    const { weight, bias } = weights.layers[i];
    for (let o = 0; o < l.outputs; o++) {
      packed.set(weight.subarray(o * l.inputs, (o + 1) * l.inputs), (l.weightOffset + o * l.inputVectors) * 4);
    }
    packed.set(bias, l.biasOffset * 4);
  });
  return packed;
}

/** Activation parameters of every layer as vec4s (frequency, slope, alpha, r). */
export function packGlslParams(activations: readonly Activation[]): Float32Array {
  const packed = new Float32Array(activations.length * 4);
  activations.forEach((a, i) => ACTIVATION_PARAMS.forEach((name, j) => (packed[i * 4 + j] = a[name])));
  return packed;
}

export interface GlslShaderOptions {
  shape: NetworkShape;
  features: FeatureSpec;
  /** How one output channel becomes a colour (three or more channels are always RGB). */
  colourMode: ColourMode;
  /**
   * Where the weights live: a uniform array of this many vec4s when the GPU
   * has room for them (the fast path: the layers are unrolled with constant
   * indices), else a float texture read in loops (any size).
   */
  uniformVectors?: number;
}

/** Whether the weights of `shape` fit a uniform array, given the fragment shader's uniform vectors. */
export function glslWeightsFitUniforms(shape: NetworkShape, maxFragmentUniformVectors: number): boolean {
  // Room for the other uniforms: parameters per layer, time and latent constants, view, colour.
  const others = shape.activations.length + shape.inputCount + 16;
  return glslWeightsLayout(shape).vectors + others <= maxFragmentUniformVectors;
}

/** A float literal GLSL reads back as the same single-precision number. */
function literal(value: number): string {
  if (Object.is(value, -0)) return '(-0.0)';
  const text = String(Math.fround(value));
  const withPoint = /[.e]/.test(text) ? text : `${text}.0`;
  return value < 0 ? `(${withPoint})` : withPoint;
}

function expression(op: VectorOp, v: (id: number) => string): string {
  switch (op.kind) {
    case 'input':
      return 'x';
    case 'const':
      // The rounding constant comes from a uniform: a compiler that sees
      // (x + M) − M with M a literal may fold it to x, which would skip the rounding.
      return op.value === ROUNDING_MAGIC ? 'u_magic' : literal(op.value);
    case 'param':
      return `p[${op.index}]`;
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

/** One activation's vector program as a GLSL function of a value and the layer's parameters. */
export function glslActivation(program: VectorProgram, name: string): string {
  const value = (id: number): string => (program.ops[id].kind === 'input' ? 'x' : `v${id}`);
  const lines = program
    .liveOps()
    .filter((id) => program.ops[id].kind !== 'input')
    .map((id) => {
      const op = program.ops[id];
      return `  ${op.kind === 'gt' ? 'bool' : 'float'} v${id} = ${expression(op, value)};`;
    });
  return [`float ${name}(float x, vec4 p) {`, ...lines, `  return ${value(program.result.id)};`, '}'].join('\n');
}

/** The `in`-less uniforms every generated shader declares, for the renderer that feeds them. */
export const GLSL_UNIFORMS = {
  weights: 'u_weights',
  weightVectors: 'u_w',
  palette: 'u_palette',
  params: 'u_params',
  constants: 'u_constants',
  size: 'u_size',
  view: 'u_view',
  center: 'u_center',
  magic: 'u_magic',
  colour: 'u_colour',
  adjust: 'u_adjust',
  paletteSize: 'u_palette_size',
} as const;

export const GLSL_VERTEX_SHADER = `#version 300 es
// One triangle that covers the whole viewport.
void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
`;

/** The fragment shader for a network shape and colour mode. */
export function glslFragmentShader(options: GlslShaderOptions): string {
  const { shape, features } = options;
  const layout = glslWeightsLayout(shape);
  const activationNames = new Map<string, string>();
  const functions: string[] = [];
  const nameOf = (a: Activation): string => {
    const key = activationCodeKey(a);
    let name = activationNames.get(key);
    if (!name) {
      name = `act${activationNames.size}`;
      activationNames.set(key, name);
      functions.push(glslActivation(activationProgram(a), name));
      functions.push(`vec4 ${name}v(vec4 s, vec4 p) { return vec4(${name}(s.x, p), ${name}(s.y, p), ${name}(s.z, p), ${name}(s.w, p)); }`);
    }
    return name;
  };

  // Inputs in the scene's order: per-pixel x, y, r, then per-frame constants (time, latent).
  const inputLines: string[] = [];
  let slot = 0;
  let constant = 0;
  const setInput = (expr: string): void => {
    inputLines.push(`  a0[${slot >> 2}][${slot & 3}] = ${expr};`);
    slot++;
  };
  for (const name of features.inputs) {
    if (name === 'x') setInput('x');
    else if (name === 'y') setInput('y');
    else if (name === 'r') setInput('sqrt(x * x + y * y)');
    else {
      const count = name === 't' ? (features.timeMode === 'circle' ? 2 : 1) : features.latentSize;
      for (let k = 0; k < count; k++) setInput(`u_constants[${constant++}]`);
    }
  }

  const body: string[] = [];
  const unrolled = options.uniformVectors !== undefined;
  layout.layers.forEach((l, i) => {
    const act = nameOf(shape.activations[i]);
    const outVectors = Math.ceil(l.outputs / 4);
    body.push(`  vec4 a${i + 1}[${outVectors}];`);
    if (unrolled) {
      // Straight-line code with constant indices: registers instead of indexed memory.
      for (let o4 = 0; o4 < outVectors; o4++) {
        const lanes: string[] = [];
        for (let c = 0; c < 4; c++) {
          const o = o4 * 4 + c;
          if (o >= l.outputs) {
            lanes.push('0.0');
            continue;
          }
          const terms = [`u_w[${l.biasOffset + o4}].${'xyzw'[c]}`];
          for (let k = 0; k < l.inputVectors; k++) {
            const w = `u_w[${l.weightOffset + o * l.inputVectors + k}]`;
            for (let lane = 0; lane < 4 && k * 4 + lane < l.inputs; lane++) terms.push(`${w}.${'xyzw'[lane]} * a${i}[${k}].${'xyzw'[lane]}`);
          }
          lanes.push(terms.join(' + '));
        }
        body.push(`  a${i + 1}[${o4}] = ${act}v(vec4(${lanes.join(',\n      ')}), u_params[${i}]);`);
      }
      return;
    }
    body.push(`  for (int o4 = 0; o4 < ${outVectors}; o4++) {`);
    body.push(`    vec4 s = weightAt(${l.biasOffset} + o4);`);
    body.push(`    for (int c = 0; c < 4; c++) {`);
    body.push(`      int o = o4 * 4 + c;`);
    body.push(`      if (o >= ${l.outputs}) break;`);
    body.push(`      float acc = s[c];`);
    body.push(`      int row = ${l.weightOffset} + o * ${l.inputVectors};`);
    body.push(`      for (int k = 0; k < ${l.inputVectors}; k++) {`);
    body.push(`        vec4 w = weightAt(row + k);`);
    body.push(`        vec4 a = a${i}[k];`);
    body.push(`        acc = acc + w.x * a.x + w.y * a.y + w.z * a.z + w.w * a.w;`);
    body.push(`      }`);
    body.push(`      s[c] = acc;`);
    body.push(`    }`);
    body.push(`    a${i + 1}[o4] = ${act}v(s, u_params[${i}]);`);
    body.push(`  }`);
  });

  const last = layout.layers.length;
  const outputActivation = shape.activations[shape.activations.length - 1];
  const range = ACTIVATIONS[outputActivation.name].range;
  const unit = range === 'symmetric' ? '(v + 1.0) * 0.5' : 'v';
  let colour: string;
  if (shape.outputCount >= 3) {
    colour = [`  vec3 v = a${last}[0].xyz;`, `  vec3 rgb = ${unit};`].join('\n');
  } else if (options.colourMode === 'palette') {
    colour = [
      `  float v = a${last}[0].x;`,
      `  float position = ${unit};`,
      // The CPU's lookup: round(clamp(v, 0, 1) · (size − 1)).
      `  int index = int(floor(clamp(position, 0.0, 1.0) * float(u_palette_size - 1) + 0.5));`,
      `  vec3 rgb = texelFetch(u_palette, ivec2(index, 0), 0).rgb;`,
    ].join('\n');
  } else {
    colour = [`  float v = a${last}[0].x;`, `  vec3 rgb = vec3(${unit});`].join('\n');
  }

  const constantCount = Math.max(constant, 1);
  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;

${unrolled ? `uniform vec4 u_w[${options.uniformVectors}];` : 'uniform sampler2D u_weights;'}
uniform sampler2D u_palette;
uniform int u_palette_size;
uniform vec4 u_params[${shape.activations.length}];
uniform float u_constants[${constantCount}];
uniform vec2 u_size;
uniform vec3 u_view;   // cos θ, sin θ, zoom / shorter side
uniform vec2 u_center;
uniform float u_magic;
uniform mat3 u_colour; // hue and saturation
uniform vec4 u_adjust; // contrast, brightness, invert (0 or 1)
out vec4 fragColour;

${unrolled ? '' : `vec4 weightAt(int i) {\n  return texelFetch(u_weights, ivec2(i % ${GLSL_WEIGHTS_ROW}, i / ${GLSL_WEIGHTS_ROW}), 0);\n}`}

${functions.join('\n\n')}

void main() {
  // Row 0 is the top of the picture, as in the CPU kernels; GL counts from the bottom.
  float u = gl_FragCoord.x - u_size.x * 0.5;
  float v0 = (u_size.y - gl_FragCoord.y) - u_size.y * 0.5;
  float x = u_view.z * (u * u_view.x - v0 * u_view.y) + u_center.x;
  float y = u_view.z * (u * u_view.y + v0 * u_view.x) + u_center.y;
  vec4 a0[${layout.layers[0].inputVectors}];
  for (int k = 0; k < ${layout.layers[0].inputVectors}; k++) a0[k] = vec4(0.0);
${inputLines.join('\n')}
${body.join('\n')}
${colour}
  rgb = u_colour * rgb;
  rgb = ((rgb - 0.5) * u_adjust.x + 0.5) * u_adjust.y;
  rgb = mix(rgb, 1.0 - rgb, u_adjust.z);
  // Quantise as the CPU does (round half up) so the framebuffer's own rounding has nothing left to decide.
  rgb = floor(clamp(rgb, 0.0, 1.0) * 255.0 + 0.5) / 255.0;
  fragColour = vec4(rgb, 1.0);
}
`;
}
