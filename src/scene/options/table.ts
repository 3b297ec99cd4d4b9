/**
 * Every option a user can give, declared once: its flag, the scene key it
 * overrides (with that key's description in the scene schema), its name in
 * the library, its parser and its help, with the words that differ from one
 * command to another. The command line builds its commands' options from
 * this table (src/cli/options.ts attaches them by key), the scene's JSON
 * Schema takes the descriptions of the keys options override from it
 * (json-schema.ts), docs/options.md is generated from it, and messages name
 * options by key (`option('out')` in src/errors.ts), which each front end
 * says in its own words: the command line as the flag.
 *
 * Pure (no Node APIs): the browser preview writes its copyable command lines
 * from it too.
 */
import { describeFormats, GIF_DITHERS } from '../output-formats.js';
import { LIMITS } from '../frame-size.js';
import { BREED_LIMITS, DEFAULT_STRENGTH } from '../explore/limits.js';
import { checkRedisUrl, hasPassword, REDIS_PASSWORD_VARIABLE, redactedUrl } from './redis-url.js';
import * as value from './values.js';
import type { Parser } from './values.js';

/** What --backend means for a command that renders on this machine. */
const BACKEND_HELP = 'where frames are computed: cpu (the exact reference), gpu (WebGPU; 99 % of values within ±2 of the CPU), auto (the GPU when a hardware one is there, else the CPU)';

/** The same for a command that may send its work to a cluster, where the workers compute the frames. */
const CLUSTER_BACKEND_HELP = `${BACKEND_HELP}; with --redis, the workers that render: gpu sends the jobs to workers with a GPU, and auto means cpu (the coordinator cannot know which workers will have a GPU; every worker renders the CPU's exact pixels)`;

/** The commands that take options, as typed (a subcommand after its parent). */
export const COMMANDS = ['render', 'still', 'batch', 'compare', 'explore', 'fit', 'inspect', 'preview', 'worker', 'validate', 'activations', 'weights export', 'doctor'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What a help text may depend on that only the running program knows. */
export interface HelpContext {
  /** The extensions of the files an earlier output can be read back from. */
  fromExtensions: readonly string[];
  /** Where the cluster's chunk store is when none is given. */
  defaultStore: string;
}

export type Help = string | ((context: HelpContext) => string);

/** How one command takes an option where it differs from the option's own declaration. */
export interface OptionInCommand {
  help?: Help;
  /** The value's placeholder, e.g. '<file.png>'. */
  value?: string;
  parse?: Parser;
  default?: unknown;
  /** The command cannot run without it. */
  required?: boolean;
}

export interface OptionSpec {
  /** The flag without its dashes: 'gif-max-size'; 'no-…' for a switch that turns something off. */
  flag: string;
  /** A one-letter alias, e.g. 'q' for -q. */
  short?: string;
  /** The value's placeholder in the help: '<WxH>', or '[format]' where the value may be left out; none for a switch. */
  value?: string;
  /** The scene key the option overrides, and that key's description in the scene schema. */
  scene?: { key: string; help: string };
  /** Its name in the library's options where that is not the option's key. */
  api?: string;
  help: Help;
  /** Text to value, or a clear error (values.ts). */
  parse?: Parser;
  default?: unknown;
  /** Given more than once, it collects its values in a list. */
  repeatable?: boolean;
  /** Where a command takes the option in its own words, value or parser. */
  in?: Partial<Record<CommandName, OptionInCommand>>;
}

const antialiasHelp = `samples per pixel side: n×n per pixel, averaged (1–${LIMITS.antialias}; output.antialias)`;
const sceneSeedHelp = 'network seed (keyframe seeds move by the same amount)';
const quietHelp = 'print nothing but errors';

export const OPTIONS = {
  // What a render makes: each overrides a scene key.
  size: {
    flag: 'size',
    value: '<WxH>',
    scene: { key: 'output.size', help: 'Frame size in pixels: [width, height] or "WIDTHxHEIGHT".' },
    help: 'frame size, e.g. 1920x1080',
    parse: value.size,
    in: {
      still: { help: 'image size, e.g. 4096x4096' },
      batch: { help: 'frame size for every item' },
      compare: { help: 'size of each still (default: 256 px on the longer side)' },
      fit: { help: "size of the picture learned (default: the scene's aspect ratio, 128 pixels on the longer side)" },
    },
  },
  fps: {
    flag: 'fps',
    value: '<n>',
    scene: { key: 'output.fps', help: 'Frames per second.' },
    help: 'frames per second',
    parse: value.positive(LIMITS.fps),
    in: { batch: { help: 'frames per second for every item' } },
  },
  duration: {
    flag: 'duration',
    value: '<seconds>',
    scene: { key: 'output.duration', help: 'Length in seconds.' },
    help: 'length in seconds',
    parse: value.positive(LIMITS.duration),
    in: { batch: { help: 'length of every item' } },
  },
  formats: {
    flag: 'format',
    value: '<list>',
    scene: { key: 'output.formats', help: `Any of ${describeFormats()}.` },
    help: `comma-separated: ${describeFormats()}`,
    parse: value.formats,
    in: { batch: { help: "formats for every item (default: gif, or the scene's formats)" } },
  },
  seed: {
    flag: 'seed',
    value: '<n>',
    scene: { key: 'seed', help: 'Seed of the network when no keyframe sets one.' },
    help: sceneSeedHelp,
    parse: value.seed,
    in: {
      compare: { help: 'the same network seed for every scene' },
      fit: { help: 'network seed to start from (default: the scene seed)' },
      'weights export': { help: 'network seed (default: the scene seed)' },
    },
  },
  antialias: {
    flag: 'antialias',
    value: '<n>',
    scene: {
      key: 'output.antialias',
      help: 'Samples per pixel side: n×n samples per pixel, averaged. Smooths detail finer than a pixel (shimmer in videos, noise in GIFs) at n² the render time.',
    },
    help: antialiasHelp,
    parse: value.wholeNumber(1, LIMITS.antialias),
  },
  gifMaxBytes: {
    flag: 'gif-max-size',
    value: '<size>',
    scene: { key: 'output.gif.maxBytes', help: 'A size budget such as "5MB": the GIF\'s frame rate, size and colours are chosen from its first frames to fit it.' },
    help: 'make the GIF fit this size, e.g. 5MB: its fps, size and colours are chosen to fit',
  },
  gifColors: {
    flag: 'colors',
    value: '<n>',
    scene: { key: 'output.gif.colors', help: 'Most colours per frame (each frame has its own palette, with as few as its picture needs within the tolerance).' },
    help: 'GIF palette size, 2–256',
    parse: value.wholeNumber(2, 256),
  },
  gifDither: {
    flag: 'dither',
    value: '<kind>',
    scene: {
      key: 'output.gif.dither',
      help: 'Dithering: none (the default: smallest files), bayer (ordered), sierra2_4a or floyd_steinberg (error diffusion: smoother gradients, much larger files).',
    },
    help: `GIF dithering: ${GIF_DITHERS.join(', ')}`,
    parse: value.dither,
  },
  seeds: {
    flag: 'seeds',
    value: '<list>',
    scene: { key: 'series.seeds', help: 'Seeds: a list [1, 5, 9], or text such as "1-12" or "1-4, 9".' },
    help: 'seeds, e.g. 1-12 or 1,5,9 (overrides series.seeds)',
    parse: value.seeds,
  },
  grid: {
    flag: 'set',
    value: '<name=values>',
    scene: { key: 'series.grid', help: 'Values to try for each parameter: the series renders every combination (the product of the lists).' },
    help: 'vary a parameter, e.g. --set zoom=0.5,1,2 (repeatable; overrides series.grid)',
    parse: value.gridEntry,
    repeatable: true,
    default: [],
  },

  // Where the scene comes from and where the outputs go.
  from: {
    flag: 'from',
    value: '<file>',
    help: ({ fromExtensions }) => `re-render the scene stored in an earlier output (${fromExtensions.join(', ')})`,
    in: {
      still: { value: '<file.png>', help: 're-render the scene stored in an earlier output' },
      inspect: { value: '<file.png>', help: 'inspect the scene stored in an earlier output' },
    },
  },
  out: {
    flag: 'out',
    value: '<path>',
    help: 'where the output goes: a file, or a folder ending in /',
    parse: value.outPath,
    in: {
      render: { help: 'output path without extension, with the extension of one of the formats written, or a folder ending in / (output/<name> by default)' },
      still: { value: '<file.png>', help: 'output file, or a folder ending in / (default: output/<name>.png)' },
      batch: { value: '<folder>', help: 'parent folder of the series folders (default: output)' },
      compare: { value: '<file.png>', help: 'output file, or a folder ending in / (default: output/compare.png)' },
      explore: { value: '<folder>', help: 'folder for the variations and the sheet (default: output/<name>-explore/)' },
      fit: {
        value: '<file.json>',
        help: 'weights file to write, or a folder ending in /; the fitted picture (<name>-fitted.png) and the chart (<name>-chart.png) go beside it (default: output/<target>.json)',
      },
      inspect: { value: '<file.png>', help: 'where --maps or --motion writes its picture: a .png file, or a folder ending in / (default: output/<name>-maps.png or -motion.png)' },
      activations: { value: '<file.png>', help: 'output file, or a folder ending in / (default: output/activations.png)' },
      'weights export': { value: '<file.json>', help: 'write the weights to this file (or into a folder ending in /, as <name>.json) instead of printing them' },
    },
  },
  at: {
    flag: 'at',
    value: '<seconds>',
    help: 'time in the scene (default: the middle of the video when the scene moves, else 0)',
    parse: value.nonNegative,
    in: {
      compare: { help: 'time in each scene', default: 0 },
      explore: { help: 'the moment the contact sheet shows (default: the middle of the video when the scene moves, else 0)' },
      fit: { help: 'the moment of the scene whose view and parameters are fitted', default: 0 },
      inspect: { help: 'time in the scene (default 0)' },
    },
  },

  // How and where the work runs.
  workers: {
    flag: 'workers',
    value: '<n>',
    help: 'worker threads (default: one per core)',
    parse: value.workers,
    in: {
      // With --backend gpu the GPU computes the pixels; the threads then code the pieces.
      render: { help: 'worker threads (default: one per core); with --backend gpu, the cores that code the pieces' },
      batch: { help: 'worker threads (default: one per core); with --backend gpu, the cores that code the pieces' },
      still: { help: 'worker threads for a large still (default: one per core; a small one renders sooner on one thread than threads take to start)' },
      fit: { help: 'worker threads (default: one per core; the same seed and count give the same weights)', parse: value.anyWorkers },
      // A worker's count is for the machine it runs on, which may not be the one that queued the work.
      worker: { help: 'worker threads for CPU jobs (default: one per core)', parse: value.anyWorkers },
    },
  },
  backend: {
    flag: 'backend',
    value: '<kind>',
    help: BACKEND_HELP,
    parse: value.backend,
    default: 'auto',
    in: {
      // With --redis the workers compute the frames.
      render: { help: CLUSTER_BACKEND_HELP },
      batch: { help: CLUSTER_BACKEND_HELP },
      worker: {
        help: "which jobs it takes: gpu (GPU jobs on this GPU, software adapters included, and CPU jobs on its threads), cpu (CPU jobs only), auto (as gpu when a hardware GPU is there, else as cpu); a video's pieces all come from workers of the backend its render asked for",
      },
    },
  },
  redis: {
    flag: 'redis',
    value: '<url>',
    api: 'redisUrl',
    help: "the cluster's queue: a Redis URL",
    parse: checkRedisUrl,
    in: {
      render: { help: 'render on a cluster: queue its pieces for `cppn-motion worker` processes at this Redis URL' },
      batch: { help: 'render the items on a cluster: send each item whole to a `cppn-motion worker` process at this Redis URL' },
      worker: { help: `the queue: redis://host:6379, redis://:password@host:6379, rediss://… for TLS; a URL without a password takes it from ${REDIS_PASSWORD_VARIABLE}, which keeps it out of the process list`, required: true },
      doctor: { help: 'also show the queue at this Redis URL: waiting, active and failed chunks, connected workers' },
    },
  },
  store: {
    flag: 'store',
    value: '<dir>',
    help: ({ defaultStore }) => `chunk store shared by the coordinator and every worker (default: ${defaultStore})`,
  },
  lockSeconds: {
    flag: 'lock-seconds',
    value: '<s>',
    help: 'how long a job stays this worker\'s after the worker stops answering (killed, cut off) before another worker takes it; the worker renews its hold every half of this, so a busy or distant worker wants it longer (default 10)',
    parse: value.wholeNumber(2, 3600),
  },
  concurrency: {
    flag: 'concurrency',
    value: '<n>',
    help: "jobs of each backend done at once (default 2: one renders while the other's encoders finish)",
    parse: value.wholeNumber(1, 64),
  },
  quiet: {
    flag: 'quiet',
    short: 'q',
    help: quietHelp,
    in: {
      inspect: { help: 'print nothing but the statistics, warnings and errors' },
      preview: { help: 'print only the URL and errors' },
      validate: { help: 'print only problems' },
    },
  },

  // batch
  force: { flag: 'force', help: 're-render items even when their outputs are complete and current; start this series in a folder that holds another one' },
  dryRun: { flag: 'dry-run', help: 'list what would be rendered and what skipped, render nothing' },
  yes: { flag: 'yes', help: 'render series of more than 1000 items' },
  contactSheet: { flag: 'no-sheet', help: 'skip the contact sheet' },
  animatedSheet: {
    flag: 'animated-sheet',
    value: '[format]',
    help: 'also write an animated contact sheet, every item playing side by side: contact-sheet.gif, or another format (webp, apng, mp4, webm)',
    parse: value.animatedFormat,
  },

  // compare
  columns: { flag: 'columns', value: '<n>', help: 'stills per row (default: up to 4)', parse: value.wholeNumber(1, 64) },
  labels: { flag: 'label', value: '<text>', help: 'label of the next scene, in order (repeat it; default: the scene name)', repeatable: true },

  // explore
  count: { flag: 'count', value: '<n>', help: `how many variations (1–${BREED_LIMITS.count})`, parse: value.wholeNumber(1, BREED_LIMITS.count), default: 8 },
  strength: { flag: 'strength', value: '<s>', help: 'how far each moves from the scene, above 0 and at most 1', parse: value.positive(1), default: DEFAULT_STRENGTH },
  variationSeed: {
    flag: 'seed',
    value: '<n>',
    api: 'seed',
    help: 'seed of the choices: the same seed writes the same files (default: a new one, printed)',
    parse: value.seed,
  },

  // fit
  scene: { flag: 'scene', value: '<file>', help: "scene whose network, view and seed to start from (default: the project's default network)" },
  steps: { flag: 'steps', value: '<n>', help: 'training steps at most', parse: value.wholeNumber(1, 10_000_000), default: 2000 },
  targetPsnr: { flag: 'psnr', value: '<dB>', help: 'stop as soon as the whole picture reaches this PSNR', parse: value.positive(200) },
  init: { flag: 'init', value: '<file.json|seed>', help: "start from these weights, or from this seed, instead of the scene's network" },
  activation: {
    flag: 'activation',
    value: '<name>',
    help: 'activation of every hidden layer instead of the scene’s (identity shows what a network without nonlinearity can learn)',
    parse: value.oneActivation,
  },
  optimiser: { flag: 'optimiser', value: '<name>', help: 'adam, or sgd (with momentum)', parse: value.optimiser, default: 'adam' },
  learningRate: { flag: 'lr', value: '<rate>', help: 'learning rate (default: 0.01 for adam, 0.1 for sgd)', parse: value.positive(100) },
  momentum: { flag: 'momentum', value: '<m>', help: 'sgd momentum (default 0.9)', parse: value.nonNegative },
  batchSize: {
    flag: 'batch',
    value: '<pixels>',
    help: 'pixels per mini-batch, drawn at random and reshuffled each pass (default 4096)',
    parse: value.wholeNumber(1, 16_777_216),
  },
  weightDecay: { flag: 'weight-decay', value: '<d>', help: 'shrinks every weight by lr·d per step (default 0)', parse: value.nonNegative },

  // inspect
  json: { flag: 'json', help: 'print the statistics as JSON' },
  maps: { flag: 'maps', value: '[file.png]', help: "draw every unit's image, one row per layer (default file: output/<name>-maps.png)" },
  motion: {
    flag: 'motion',
    value: '[file.png]',
    help: 'chart how much the picture changes from frame to frame over the whole video, naming spikes and stalls (default file: output/<name>-motion.png)',
  },
  tile: { flag: 'tile', value: '<px>', help: 'tile size for --maps (default 64)', parse: value.wholeNumber(8, 512) },
  maxSide: { flag: 'size', value: '<px>', help: 'longest side the statistics are computed at (default: 256, less for wide networks)', parse: value.wholeNumber(8, 4096) },

  // preview
  port: { flag: 'port', value: '<n>', help: 'port on 127.0.0.1 (default: a free one)', parse: value.wholeNumber(1, 65535) },
  open: { flag: 'open', help: 'open the page in the system browser' },

  // activations
  only: { flag: 'only', value: '<names>', help: 'only these activations, in this order, e.g. tanh,cos', parse: value.activationNames },
} satisfies Record<string, OptionSpec>;

export type TableKey = keyof typeof OPTIONS;

// Messages name options by these keys (src/errors.ts cannot import the table: it sits below the scene).
declare module '../../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the keys are the point
  interface OptionKeys extends Record<TableKey, true> {}
}

/** The option's declaration. */
export function optionSpec(key: TableKey): OptionSpec {
  return OPTIONS[key];
}

/** Every option's key, in the table's order. */
export function optionKeys(): TableKey[] {
  return Object.keys(OPTIONS) as TableKey[];
}

/** The option as typed on the command line: '--gif-max-size'. */
export function flagWord(key: TableKey): string {
  return `--${OPTIONS[key].flag}`;
}

/** The option's name in the library's options. */
export function apiName(key: TableKey): string {
  return optionSpec(key).api ?? key;
}

/** How `command` takes the option: its declaration with the command's own words laid over it. */
export function optionIn(key: TableKey, command: CommandName): OptionSpec & OptionInCommand {
  const spec = optionSpec(key);
  return { ...spec, ...spec.in?.[command] };
}

export function helpText(help: Help, context: HelpContext): string {
  return typeof help === 'string' ? help : help(context);
}

/** The option that overrides a scene key, if one does. */
export function optionOfSceneKey(sceneKey: string): TableKey | undefined {
  return optionKeys().find((key) => optionSpec(key).scene?.key === sceneKey);
}

/** The scene keys options override, each with its description in the scene schema. */
export function sceneKeyDescriptions(): Array<{ key: string; help: string }> {
  return optionKeys().flatMap((key) => {
    const { scene } = optionSpec(key);
    return scene ? [scene] : [];
  });
}

/**
 * A command line to show a person, e.g. `cppn-motion still --from x.png --at 2`:
 * `parts` are the command's arguments, each an argument or an option and its value.
 */
export function commandLine(command: CommandName, ...parts: Array<string | [TableKey, string | number]>): string {
  return ['cppn-motion', command, ...parts.map((part) => (typeof part === 'string' ? part : `${flagWord(part[0])} ${part[1]}`))].join(' ');
}

/**
 * The command that starts a worker on the queue at `redisUrl`, to show a
 * person. A URL with a password is not shown, nor shown with the password
 * hidden (that would not work if typed): the reader is told to give the same URL.
 */
export function workerCommand(redisUrl: string, backend?: 'gpu'): string {
  const url = hasPassword(redisUrl) ? `<the same ${flagWord('redis')} URL, with its password>` : redactedUrl(redisUrl);
  return backend === 'gpu' ? commandLine('worker', ['redis', url], ['backend', 'gpu']) : commandLine('worker', ['redis', url]);
}
