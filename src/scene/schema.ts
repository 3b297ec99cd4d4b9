/**
 * The scene format: one zod schema that the loader validates with, that the
 * committed JSON Schema (scene.schema.json, for editor completion) is
 * generated from, and whose descriptions document every key.
 */
import { z } from 'zod';
import {
  ACTIVATION_NAMES,
  BLEND_MODES,
  COLOUR_MODES,
  INPUT_NAMES,
  LOGISTIC_SQUASHES,
  NAMED_PALETTES,
  TIME_MODES,
} from '../core/index.js';
import { EASING_NAMES, easingProblem } from './easing.js';
import { ANIMATABLE, GRID_PARAMETERS, PARAMETERS, type GridParameter, type ParameterValue } from './parameters.js';
import { keyframeSeconds } from './keyframe-time.js';
import { NUDGE_LIMITS, nudgeProblem, type Nudge } from './nudge.js';
import { parseSeedList } from './seed-list.js';
import { LIMITS, sizeProblem, sizeSchema } from './frame-size.js';
import { NAME_PATTERN, NAME_RULE, nameProblem } from './scene-name.js';
import { FORMATS, formatOptionShapes, OUTPUT_FORMATS } from './output-formats.js';

/** keyframes: the pace the keyframes and easings give; even: re-timed so the picture changes evenly (see pacing.ts). */
export const PACINGS = ['keyframes', 'even'] as const;

export { LIMITS } from './frame-size.js';

const activationName = z.enum(ACTIVATION_NAMES).describe(`One of: ${ACTIVATION_NAMES.join(', ')}.`);

const activationObject = z
  .strictObject({
    name: activationName,
    frequency: z.number().optional().describe('cos, sin (and the logistic cos squash): the f in cos(f·x). Default 1.'),
    slope: z.number().optional().describe('leaky-relu: slope for x < 0. Default 0.01.'),
    alpha: z.number().optional().describe('elu, celu: α; swish: β. Default 1.'),
    r: z.number().optional().describe('logistic: growth rate R of x ← R·x·(1 − x). Default 3.75843.'),
    iterations: z.int().min(0).max(32).optional().describe('logistic: how many times the map is applied. Default 2.'),
    squash: z.enum(LOGISTIC_SQUASHES).optional().describe('logistic: how x is first brought into (0, 1): clamp, sigmoid, or cos(f·x)·0.5 + 0.5. Default sigmoid.'),
  })
  .describe('An activation with parameters.');

export const activationSpec = z.union([activationName, activationObject]);
export type ActivationSpec = z.infer<typeof activationSpec>;

const initSchema = z
  .union([
    z.literal('pytorch-default').describe("PyTorch's nn.Linear default: uniform in ±1/sqrt(fan_in)."),
    z.strictObject({ uniform: z.tuple([z.number(), z.number()]).describe('[low, high]') }),
    z.strictObject({
      normal: z.strictObject({ std: z.number().positive().describe('Standard deviation.'), mean: z.number().default(0) }),
    }),
  ])
  .describe('How weights and biases are drawn: pytorch-default, {uniform: [a, b]}, or {normal: {std: s}}.');

const networkSchema = z
  .strictObject({
    inputs: z
      .array(z.enum(INPUT_NAMES))
      .min(1)
      .default(['x', 'y', 'r'])
      .describe('Inputs in order: x, y, r = sqrt(x² + y²), t (time), z (latent vector).'),
    latent: z.int().min(0).max(64).default(0).describe('Size of the latent vector z (when inputs include z).'),
    time: z
      .strictObject({
        mode: z.enum(TIME_MODES).default('circle').describe('circle: t enters as (sin 2πt, cos 2πt), so it closes when t goes 0 → 1; linear: t enters as itself.'),
        scale: z.number().default(1).describe('Radius of the time circle, or multiplier of linear t.'),
      })
      .prefault({}),
    layers: z
      .union([
        z.strictObject({ depth: z.int().min(0).max(LIMITS.layers), width: z.int().min(1).max(LIMITS.width) }),
        z.array(z.int().min(1).max(LIMITS.width)).max(LIMITS.layers),
      ])
      .default({ depth: 8, width: 16 })
      .describe('Hidden layers: {depth, width} or a list of widths such as [128, 64, 32, 16].'),
    activation: z
      .union([activationSpec, z.array(activationSpec).min(1)])
      .default('tanh')
      .describe('Activation of the hidden layers: one for all, or a list with one per hidden layer.'),
    output: z
      .strictObject({
        channels: z.union([z.literal(1), z.literal(3)]).default(3).describe('3 = RGB, 1 = greyscale or palette.'),
        activation: activationSpec.default('sigmoid'),
      })
      .prefault({}),
    init: initSchema.default({ normal: { std: 1, mean: 0 } }),
    bias: z.boolean().default(true).describe('Whether layers have biases.'),
    scale: z.number().default(1).describe('Multiplies every weight and bias (animatable).'),
    blend: z
      .enum(BLEND_MODES)
      .default('variance-preserving')
      .describe('How weights move between keyframed networks: variance-preserving (cos/sin mix; keeps contrast) or linear.'),
  })
  .prefault({});

const viewSchema = z
  .strictObject({
    zoom: z.number().default(1).describe('Multiplies the input coordinates: smaller magnifies (0.01 gives the "neural Mondrian").'),
    center: z.tuple([z.number(), z.number()]).default([0, 0]).describe('Pan: the network coordinate shown at the image centre.'),
    rotation: z.number().default(0).describe('Degrees; positive turns the picture anticlockwise.'),
  })
  .prefault({});

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'write colours as #rrggbb');
const paletteNames = Object.keys(NAMED_PALETTES) as [string, ...string[]];

const colourSchema = z
  .strictObject({
    mode: z.enum(COLOUR_MODES).optional().describe('rgb (3 channels), grey or palette (1 channel). Default: rgb for 3 channels, palette when a palette is given, else grey.'),
    palette: z
      .union([z.enum(paletteNames), z.array(hexColour).min(2)])
      .optional()
      .describe(`A named palette (${paletteNames.join(', ')}) or a list of #rrggbb colours.`),
    cyclic: z.boolean().default(false).describe('The palette wraps from its last colour back to its first (for palette cycling).'),
    paletteOffset: z.number().default(0).describe('Shifts palette positions (animatable; 0 → 1 is one full cycle).'),
    hue: z.number().default(0).describe('Hue rotation in degrees (animatable).'),
    saturation: z.number().default(1).describe('0 = grey, 1 = unchanged (animatable).'),
    brightness: z.number().default(1).describe('Multiplies the colour (animatable).'),
    contrast: z.number().default(1).describe('Stretches values around mid-grey (animatable).'),
    invert: z.boolean().default(false),
  })
  .prefault({});

/** video: a looping video in output.formats; still: one picture, which `render` writes as a PNG. */
export const OUTPUT_KINDS = ['video', 'still'] as const;

const outputSchema = z
  .strictObject({
    kind: z
      .enum(OUTPUT_KINDS)
      .default('video')
      .describe('video: render writes the looping video in output.formats. still: the scene is one picture (it need not move): render writes output/<name>.png, and validate does not warn that the video never moves.'),
    size: sizeSchema.default([512, 512]),
    // The keys options override (size, fps, duration, antialias, formats) take their descriptions from the option table (json-schema.ts).
    fps: z.number().positive().max(LIMITS.fps).default(30),
    duration: z.number().positive().max(LIMITS.duration).default(6),
    antialias: z.int().min(1).max(LIMITS.antialias).default(1),
    formats: z.array(z.enum(FORMATS)).min(1).default(['mp4', 'gif']),
    ...formatOptionShapes,
  })
  .prefault({});

/** The zod type of each kind of keyframe value (parameters.ts), made afresh for every key. */
const PARAMETER_VALUES = {
  int: () => z.int(),
  number: () => z.number(),
  string: () => z.string(),
  pair: () => z.tuple([z.number(), z.number()]),
  numbers: () => z.array(z.number()),
} as const satisfies Record<ParameterValue, () => z.ZodType>;

type KeyframeParameters = { [P in (typeof PARAMETERS)[number] as P['name']]: z.ZodOptional<ReturnType<(typeof PARAMETER_VALUES)[P['value']]>> };

/** One optional key per animatable parameter, from the registry. */
function keyframeParameters(): KeyframeParameters {
  return Object.fromEntries(
    PARAMETERS.map((p) => {
      const schema = PARAMETER_VALUES[p.value]().optional();
      return [p.name, 'description' in p ? schema.describe(p.description) : schema];
    }),
  ) as unknown as KeyframeParameters;
}

/**
 * A nudge through weight space: the network moves part of the way toward
 * another random network, mixed as network.blend says (variance-preserving by
 * default). The target may itself be nudged, so any pose between two
 * keyframes can be written down exactly (explore's "Keyframe here" does).
 */
const nudgeEntry: z.ZodType<Nudge> = z.strictObject({
  seed: z.int().describe('The random network to move toward (the scene\'s init and layers, this seed).'),
  amount: z.number().min(0).max(1).describe('How far: 0 leaves the network as it is, 1 replaces it by the target.'),
  get nudge() {
    return z.array(nudgeEntry).min(1).max(NUDGE_LIMITS.entries).optional().describe('Nudges of the target itself, before it is mixed in.');
  },
}).meta({ id: 'nudge', description: 'One step through weight space: toward the random network of `seed`, by `amount`.' });
const nudgeList = z
  .array(nudgeEntry)
  .min(1)
  .max(NUDGE_LIMITS.entries)
  .describe('Steps through weight space, in order: each moves the network part of the way toward the random network of another seed.');

const keyframeSchema = z
  .strictObject({
    at: z.number().min(0).optional().describe('Time of the keyframe in seconds.'),
    frame: z.int().min(0).optional().describe('Time of the keyframe as a frame number (instead of at).'),
    pacing: z.enum(PACINGS).optional().describe('even: re-time the segment from this keyframe to the next so the picture changes by the same amount every frame.'),
    ease: z.string().optional().describe(`Easing from this keyframe to the next: ${EASING_NAMES.join(', ')}, or cubic-bezier(x1, y1, x2, y2).`),
    ...keyframeParameters(),
    nudge: nudgeList.optional().describe('Nudges the network this keyframe sets (its seed or weights) through weight space.'),
  })
  .describe('A keyframe: a time (at or frame) and any parameters it sets.');

// Described, like series.grid, by the option that overrides it (json-schema.ts).
const seedList = z.union([z.array(z.int()).min(1), z.string()]);

const seriesSchema = z
  .strictObject({
    seeds: seedList.optional(),
    grid: z
      .strictObject(Object.fromEntries(GRID_PARAMETERS.map((name) => [name, z.array(z.number()).min(1).optional()])) as Record<GridParameter, z.ZodOptional<z.ZodArray<z.ZodNumber>>>)
      .optional(),
  })
  .describe('A series for `cppn-motion batch`: several seeds and/or a grid of parameter values.');

export const sceneSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(NAME_PATTERN, NAME_RULE)
      .refine((name) => !NAME_PATTERN.test(name) || nameProblem(name) === undefined, { error: (issue) => nameProblem(issue.input as string) })
      .optional()
      .describe('Output file name (default: the scene file name): letters of any alphabet, digits, spaces, ".", "_" and "-".'),
    description: z.string().optional(),
    seed: z.int().default(1),
    weights: z.string().optional().describe('A weights file to use instead of a seed.'),
    nudge: nudgeList
      .optional()
      .describe("Nudges the scene's own network (seed or weights, or both orbit networks) through weight space; keyframes that set a network carry their own nudge."),
    loop: z
      .union([z.boolean(), z.literal('ping-pong')])
      .default(true)
      .describe('true: a seamless loop (the trajectory returns to its start); ping-pong: forwards then backwards; false: plays once.'),
    ease: z.string().default('in-out-sine').describe('Easing of segments whose keyframe names none.'),
    pacing: z
      .enum(PACINGS)
      .default('keyframes')
      .describe('keyframes: the pace the keyframes and easings give; even: re-time the whole trajectory so the picture changes by the same amount every frame (as far as the path allows).'),
    orbit: z
      .strictObject({
        seeds: z.tuple([z.int(), z.int()]).describe('Two networks A and B.'),
        turns: z.int().min(1).max(100).default(1),
      })
      .optional()
      .describe('Weights travel the closed orbit A → B → −A → −B → A (cos/sin mix): a loop through weight space that keeps its contrast.'),
    output: outputSchema,
    network: networkSchema,
    view: viewSchema,
    colour: colourSchema,
    z: z.array(z.number()).optional().describe('Latent vector when no keyframe sets one (default zeros).'),
    keyframes: z.array(keyframeSchema).default([]),
    series: seriesSchema.optional(),
    rendered: z
      .strictObject({
        backend: z.enum(['cpu', 'gpu']).describe('cpu: the exact reference kernels; gpu: WebGPU, within ±2 of the CPU in 99 % of values.'),
        adapter: z.string().optional().describe('The GPU adapter.'),
      })
      .optional()
      .describe('Written by cppn-motion into each output: what rendered it. Ignored when rendering: the backend option decides, also for a scene read back from an output.'),
  })
  .superRefine((scene, ctx) => {
    const add = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (scene.ease !== undefined) {
      const problem = easingProblem(scene.ease);
      if (problem) add(['ease'], problem);
    }
    const net = scene.network;
    const hiddenCount = Array.isArray(net.layers) ? net.layers.length : net.layers.depth;
    if (Array.isArray(net.activation) && net.activation.length !== hiddenCount) {
      add(['network', 'activation'], `gives ${net.activation.length} activations but the network has ${hiddenCount} hidden layers; give one per layer, or a single one for all`);
    }
    const widths = [net.inputs.length + net.latent + 1, ...(Array.isArray(net.layers) ? net.layers : Array<number>(Math.min(LIMITS.layers, Math.max(0, Math.trunc(net.layers.depth) || 0))).fill(net.layers.width)), net.output.channels];
    const weightCount = widths.slice(1).reduce((sum, w, i) => sum + w * (widths[i] + 1), 0);
    // Three copies live at once (two networks and their blend), in every worker.
    if (weightCount > LIMITS.weights) add(['network', 'layers'], `make a network of ${weightCount.toLocaleString('en')} weights, more than the limit of ${LIMITS.weights.toLocaleString('en')}; use fewer or narrower layers`);
    const hasZ = net.inputs.includes('z');
    if (hasZ && net.latent === 0) add(['network', 'latent'], 'inputs include z, so set latent to the size of z (1 or more)');
    if (!hasZ && net.latent > 0) add(['network', 'inputs'], `latent is ${net.latent} but inputs do not include z; add z to the inputs`);
    if (new Set(net.inputs).size !== net.inputs.length) add(['network', 'inputs'], 'lists an input twice');
    const [width, height] = typeof scene.output.size === 'string' ? scene.output.size.split('x').map(Number) : scene.output.size;
    // The text form checks itself; the list form's sides are checked one by one, their product here.
    const sizeIssue = Array.isArray(scene.output.size) ? sizeProblem(width, height) : undefined;
    if (sizeIssue) add(['output', 'size'], sizeIssue);
    const cramped = scene.output.formats.find((f) => Math.min(width, height) < OUTPUT_FORMATS[f].minSide);
    if (cramped) add(['output', 'size'], `${width}x${height} is too small for ${cramped}: each side needs ${OUTPUT_FORMATS[cramped].minSide} pixels or more`);
    const frames = Math.round(scene.output.duration * scene.output.fps);
    if (frames > LIMITS.frames) add(['output', 'duration'], `${frames} frames is more than the limit of ${LIMITS.frames}; shorten the duration or lower the fps`);
    // Blame the value that is out of the ordinary: a frame rate below 1, else the duration.
    if (frames < 1) add(scene.output.fps < 1 ? ['output', 'fps'] : ['output', 'duration'], scene.output.fps < 1 ? `gives no frames in ${scene.output.duration} s` : 'gives no frames at this fps');
    if (scene.orbit && scene.keyframes.some((k) => k.seed !== undefined || k.weights !== undefined)) {
      add(['orbit'], 'drives the weights, so keyframes cannot also set seed or weights');
    }
    let previous = -Infinity;
    scene.keyframes.forEach((k, i) => {
      const where = ['keyframes', i];
      if ((k.at === undefined) === (k.frame === undefined)) {
        add(where, 'give the time as either at (seconds) or frame (a frame number), not both or neither');
        return;
      }
      const time = keyframeSeconds(k, scene.output.fps);
      const key = k.at !== undefined ? 'at' : 'frame';
      if (time > scene.output.duration + 1e-9) {
        add([...where, key], `is past the end of the video (${scene.output.duration} s${k.frame !== undefined ? `, frame ${frames}` : ''})`);
      }
      if (time <= previous) add([...where, key], 'must be later than the keyframe before it (keyframes are in time order)');
      previous = time;
      if (k.ease !== undefined) {
        const problem = easingProblem(k.ease);
        if (problem) add([...where, 'ease'], problem);
      }
      if (k.seed !== undefined && k.weights !== undefined) add([...where, 'weights'], 'a keyframe sets either seed or weights, not both');
      if (k.nudge !== undefined && k.seed === undefined && k.weights === undefined) add([...where, 'nudge'], 'nudges the network this keyframe sets, but it sets none; add seed or weights to this keyframe');
      const kNudge = k.nudge && nudgeProblem(k.nudge);
      if (kNudge) add([...where, 'nudge'], kNudge);
      if (!ANIMATABLE.some((name) => k[name] !== undefined)) add(where, `sets no parameter; set any of ${ANIMATABLE.join(', ')}`);
      if (k.z !== undefined && k.z.length !== net.latent) add([...where, 'z'], `has ${k.z.length} values but latent is ${net.latent}`);
    });
    if (net.output.channels === 3 && (scene.colour.mode === 'palette' || scene.colour.mode === 'grey' || scene.colour.palette !== undefined)) {
      add(['colour', scene.colour.palette !== undefined ? 'palette' : 'mode'], 'palettes and grey need a single output channel; set network.output.channels to 1');
    }
    const nudge = scene.nudge && nudgeProblem(scene.nudge);
    if (nudge) add(['nudge'], nudge);
    if (scene.z !== undefined && scene.z.length !== net.latent) add(['z'], `has ${scene.z.length} values but latent is ${net.latent}`);
    if (typeof scene.series?.seeds === 'string') {
      try {
        parseSeedList(scene.series.seeds);
      } catch (error) {
        add(['series', 'seeds'], (error as Error).message);
      }
    }
    if (Array.isArray(scene.series?.seeds) && new Set(scene.series.seeds).size !== scene.series.seeds.length) add(['series', 'seeds'], 'lists a seed more than once');
    for (const [name, values] of Object.entries(scene.series?.grid ?? {})) {
      if (values && new Set(values).size !== values.length) add(['series', 'grid', name], 'lists a value more than once');
    }
  });


/** A scene as written (before defaults). */
export type SceneInput = z.input<typeof sceneSchema>;
/** A scene with every default filled in. */
export type SceneFile = z.output<typeof sceneSchema>;
export type KeyframeFile = SceneFile['keyframes'][number];
