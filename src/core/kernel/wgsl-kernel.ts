/**
 * The WebGPU kernel, as text: a WGSL compute shader that evaluates a whole
 * frame (or a region of it) — view transform, inputs, every layer, the output
 * mapping, the colour stage, antialiasing and 8-bit quantisation — one pixel
 * per invocation, writing packed RGBA. The fourth compilation of the
 * activations' vector programs (after WebAssembly SIMD, JavaScript and GLSL),
 * so a new activation is still one entry in the catalogue.
 *
 * Made for a real GPU: the layers are unrolled into straight-line code with
 * constant indices (activations stay in registers), each group of four
 * outputs is one vec4 bias plus one vec4 column per input, and the weights
 * are read at the same address by every invocation (a uniform buffer when
 * they fit one, where GPUs broadcast them from a constant cache; a
 * read-only storage buffer otherwise). Everything that changes from frame to
 * frame is data (see gpu-inputs.ts): one compiled pipeline serves a whole
 * journey through weight space.
 *
 * The generator owns its bindings: `bindings` says what each slot holds, and
 * the code that feeds the shader binds by that list.
 */
import { ACTIVATIONS, activationCodeKey, type Activation } from '../activations.js';
import type { ColourMode } from '../colour.js';
import type { FeatureSpec } from '../features.js';
import type { NetworkShape } from '../network.js';
import { activationProgram } from './activation-program.js';
import { biasVector, columnVector, gpuFrameLayout, gpuInputExpressions, gpuWeightsLayout, paramPlace, PALETTE_ENTRIES, unrollLayer, vectorsFor, type GpuFrameLayout } from './gpu-inputs.js';
import { ROUNDING_MAGIC, ROUNDING_MAGIC_BITS, type VectorOp, type VectorProgram } from './vector-program.js';

/** Invocations per workgroup along x and y: one pixel each. */
export const WGSL_WORKGROUP = [8, 8] as const;

export type WgslBindingKind = 'uniform' | 'read-only-storage' | 'storage';

export interface WgslBinding {
  binding: number;
  /** What goes in it: the frame block, the weights, the palette table, or the pixels written. */
  holds: 'frame' | 'weights' | 'palette' | 'pixels';
  kind: WgslBindingKind;
  /** Bytes the shader reads (for the pixels: 4 per pixel of the region, decided at dispatch). */
  bytes?: number;
}

export interface WgslShaderOptions {
  shape: NetworkShape;
  features: FeatureSpec;
  /** How one output channel becomes a colour (three or more channels are always RGB). */
  colourMode: ColourMode;
  /** Bytes a uniform buffer may hold on this device (WebGPU guarantees 65536); weights that fit go in one. */
  maxUniformBytes?: number;
}

export interface WgslShader {
  code: string;
  entryPoint: string;
  bindings: WgslBinding[];
  frameLayout: GpuFrameLayout;
  /** vec4s of weights. */
  weightVectors: number;
}

/** A float literal that WGSL reads back as the same single-precision number. */
function literal(value: number): string {
  const v = Math.fround(value);
  if (Object.is(v, -0)) return '-0.0f';
  if (!Number.isFinite(v)) throw new RangeError(`no WGSL literal for ${v}`);
  return `${v < 0 ? '(' : ''}${String(v)}f${v < 0 ? ')' : ''}`;
}

const LANES = 'xyzw';

/** The frame block's vec4 at `offset`. */
const frameVector = (offset: number): string => `frame.v[${offset}]`;

function expression(op: VectorOp, v: (id: number) => string, magic: string): string {
  switch (op.kind) {
    case 'input':
      return 'x';
    case 'const':
      // The rounding constant comes from the frame block: a compiler that sees
      // (x + M) − M with M a literal may fold it to x, which would skip the rounding.
      return op.value === ROUNDING_MAGIC ? `vec4f(${magic})` : `vec4f(${literal(op.value)})`;
    case 'param': {
      const { vector, lane } = paramPlace(op.index);
      return `vec4f(p${vector}.${LANES[lane]})`;
    }
    case 'add':
      return `${v(op.a)} + ${v(op.b)}`;
    case 'sub':
      return `${v(op.a)} - ${v(op.b)}`;
    case 'mul':
      return `${v(op.a)} * ${v(op.b)}`;
    case 'div':
      return `${v(op.a)} / ${v(op.b)}`;
    // WGSL's select(f, t, c) is c ? t : f. min and max in the kernels' "pseudo" form.
    case 'min':
      return `select(${v(op.a)}, ${v(op.b)}, ${v(op.b)} < ${v(op.a)})`;
    case 'max':
      return `select(${v(op.a)}, ${v(op.b)}, ${v(op.a)} < ${v(op.b)})`;
    case 'neg':
      return `-${v(op.a)}`;
    case 'abs':
      return `abs(${v(op.a)})`;
    case 'gt':
      return `${v(op.a)} > ${v(op.b)}`;
    case 'select':
      return `select(${v(op.ifFalse)}, ${v(op.ifTrue)}, ${v(op.mask)})`;
    case 'pow2':
      return `bitcast<vec4f>((bitcast<vec4i>(${v(op.a)}) + vec4i(${127 - ROUNDING_MAGIC_BITS})) << vec4u(23u))`;
    case 'flipIfOdd':
      return `bitcast<vec4f>(bitcast<vec4i>(${v(op.a)}) ^ (bitcast<vec4i>(${v(op.b)}) << vec4u(31u)))`;
  }
}

/**
 * One activation's vector program as a WGSL function of four values and the
 * layer's parameters (`paramVectors` vec4s: p0, p1, …). `magic` is the
 * expression that reads the rounding constant.
 */
export function wgslActivation(program: VectorProgram, name: string, paramVectors: number, magic: string): string {
  const value = (id: number): string => (program.ops[id].kind === 'input' ? 'x' : `v${id}`);
  const lines = program
    .liveOps()
    .filter((id) => program.ops[id].kind !== 'input')
    .map((id) => `  let v${id} = ${expression(program.ops[id], value, magic)};`);
  const params = Array.from({ length: paramVectors }, (_, i) => `p${i}: vec4f`).join(', ');
  // A parameter the program does not read is still declared: every activation has the same signature.
  return [`fn ${name}(x: vec4f, ${params}) -> vec4f {`, ...lines, `  return ${value(program.result.id)};`, '}'].join('\n');
}

/** The compute shader for a network shape, its inputs and its colour mode. */
export function wgslComputeShader(options: WgslShaderOptions): WgslShader {
  const { shape, features } = options;
  const frame = gpuFrameLayout(shape, features);
  const weights = gpuWeightsLayout(shape);
  const weightBytes = weights.vectors * 16;
  const weightsUniform = weightBytes <= (options.maxUniformBytes ?? 65536);
  const palette = shape.outputCount < 3 && options.colourMode === 'palette';
  const o = frame.offset;
  const magic = `${frameVector(o.canvas)}.z`;

  const activationNames = new Map<string, string>();
  const functions: string[] = [];
  const nameOf = (a: Activation): string => {
    const key = activationCodeKey(a);
    let name = activationNames.get(key);
    if (!name) {
      name = `act${activationNames.size}`;
      activationNames.set(key, name);
      functions.push(wgslActivation(activationProgram(a), name, frame.paramVectors, magic));
    }
    return name;
  };

  // Inputs in the scene's order: per-pixel x, y, r, then per-frame constants (time, latent).
  const inputs = gpuInputExpressions(features, frame, frameVector);
  const body: string[] = [];
  for (let g = 0; g < vectorsFor(inputs.length); g++) {
    const lanes = [0, 1, 2, 3].map((c) => inputs[g * 4 + c] ?? '0.0');
    body.push(`  let a0_${g} = vec4f(${lanes.join(', ')});`);
  }

  const w = (index: number | string): string => `weights.w[${index}]`;
  // A layer's values: a{i}_{g} (let) when its layer was unrolled, a{i}[g] (an array) when looped.
  const looped = new Set<number>();
  const value = (layer: number, group: number): string => (looped.has(layer) ? `a${layer}[${group}]` : `a${layer}_${group}`);
  weights.layers.forEach((l, i) => {
    const act = nameOf(shape.activations[i]);
    const params = Array.from({ length: frame.paramVectors }, (_, k) => frameVector(o.params + i * frame.paramVectors + k)).join(', ');
    if (unrollLayer(l)) {
      for (let g = 0; g < l.groups; g++) {
        // bias + x0·column0 + x1·column1 + …: each output summed in the CPU kernels' order.
        const terms = [w(biasVector(l, g))];
        for (let k = 0; k < l.inputs; k++) terms.push(`${value(i, k >> 2)}.${LANES[k & 3]} * ${w(columnVector(l, g, k))}`);
        body.push(`  let a${i + 1}_${g} = ${act}(${terms.join('\n      + ')}, ${params});`);
      }
      return;
    }
    // Too wide to unroll: a loop over the groups, each group's sum unrolled (the inputs still read with constant indices).
    looped.add(i + 1);
    body.push(`  var a${i + 1}: array<vec4f, ${l.groups}>;`);
    body.push(`  for (var g = 0u; g < ${l.groups}u; g++) {`);
    body.push(`    let at = ${l.offset}u + g * ${l.inputs + 1}u;`);
    body.push(`    var s = ${w('at')};`);
    for (let k = 0; k < l.inputs; k++) body.push(`    s = s + ${value(i, k >> 2)}.${LANES[k & 3]} * ${w(`at + ${k + 1}u`)};`);
    body.push(`    a${i + 1}[g] = ${act}(s, ${params});`);
    body.push('  }');
  });

  const last = value(weights.layers.length, 0);
  const range = ACTIVATIONS[shape.activations[shape.activations.length - 1].name].range;
  const unit = (v: string): string => (range === 'symmetric' ? `(${v} + 1.0) * 0.5` : v);
  if (shape.outputCount >= 3) {
    body.push(`  var rgb = ${unit(`${last}.xyz`)};`);
  } else if (palette) {
    // The CPU's lookup: round(clamp(v, 0, 1) · (entries − 1)).
    body.push(`  let position = ${unit(`${last}.x`)};`);
    body.push(`  var rgb = palette[u32(floor(clamp(position, 0.0, 1.0) * ${PALETTE_ENTRIES - 1}.0 + 0.5))].xyz;`);
  } else {
    body.push(`  var rgb = vec3f(${unit(`${last}.x`)});`);
  }
  body.push(
    `  rgb = vec3f(dot(${frameVector(o.colour)}.xyz, rgb), dot(${frameVector(o.colour + 1)}.xyz, rgb), dot(${frameVector(o.colour + 2)}.xyz, rgb));`,
    `  let adjust = ${frameVector(o.adjust)};`,
    '  if (adjust.w > 0.0) {',
    '    rgb = ((rgb - 0.5) * adjust.x + 0.5) * adjust.y;',
    '    rgb = select(rgb, 1.0 - rgb, adjust.z > 0.0);',
    '  }',
    '  return rgb;',
  );

  const bindings: WgslBinding[] = [
    { binding: 0, holds: 'frame', kind: 'uniform', bytes: frame.vectors * 16 },
    { binding: 1, holds: 'weights', kind: weightsUniform ? 'uniform' : 'read-only-storage', bytes: weightBytes },
    ...(palette ? [{ binding: 2, holds: 'palette', kind: 'read-only-storage', bytes: PALETTE_ENTRIES * 16 } as const] : []),
    { binding: 3, holds: 'pixels', kind: 'storage' },
  ];

  const [wx, wy] = WGSL_WORKGROUP;
  const code = `// Generated by cppn-motion for one network shape; every number that moves is data.
struct Frame { v: array<vec4f, ${frame.vectors}> }
struct Weights { w: array<vec4f, ${weights.vectors}> }
@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<${weightsUniform ? 'uniform' : 'storage, read'}> weights: Weights;
${palette ? `@group(0) @binding(2) var<storage, read> palette: array<vec4f, ${PALETTE_ENTRIES}>;\n` : ''}@group(0) @binding(3) var<storage, read_write> pixels: array<u32>;

${functions.join('\n\n')}

/** The colour at picture coordinates (px, py) (pixel column and row, centre at +0.5), before clamping. */
fn shade(px: f32, py: f32) -> vec3f {
  let canvas = ${frameVector(o.canvas)};
  let view = ${frameVector(o.view)};
  let center = ${frameVector(o.center)};
  let u = px - canvas.x * 0.5;
  let v = py - canvas.y * 0.5;
  let x = view.z * (u * view.x - v * view.y) + center.x;
  let y = view.z * (u * view.y + v * view.x) + center.y;
${body.join('\n')}
}

/** v in [0, 1] to 0…255, rounding half up as the CPU does; NaN becomes 0. */
fn toByte(v: f32) -> u32 {
  return select(0u, select(255u, u32(floor(v * 255.0 + 0.5)), v < 1.0), v > 0.0);
}

@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let region = ${frameVector(o.region)};
  let columns = u32(region.z);
  if (id.x >= columns || id.y >= u32(region.w)) {
    return;
  }
  let column = region.x + f32(id.x);
  let row = region.y + f32(id.y);
  // n×n samples on a regular grid inside the pixel, their clamped colours averaged (n = 1: the centre).
  let n = u32(${frameVector(o.canvas)}.w);
  var sum = vec3f(0.0);
  for (var sy = 0u; sy < n; sy++) {
    let dy = (f32(sy) + 0.5) / f32(n) - 0.5;
    for (var sx = 0u; sx < n; sx++) {
      let dx = (f32(sx) + 0.5) / f32(n) - 0.5;
      sum += clamp(shade(column + 0.5 + dx, row + 0.5 + dy), vec3f(0.0), vec3f(1.0));
    }
  }
  let rgb = sum / f32(n * n);
  pixels[id.y * columns + id.x] = toByte(rgb.x) | (toByte(rgb.y) << 8u) | (toByte(rgb.z) << 16u) | (255u << 24u);
}
`;
  return { code, entryPoint: 'main', bindings, frameLayout: frame, weightVectors: weights.vectors };
}
