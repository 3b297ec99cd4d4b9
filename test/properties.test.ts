/**
 * Property-based tests: generated scene documents and flag values, wrong in
 * every way we can think of (wrong types, zero, negative, huge, NaN, reversed
 * ranges, in every field), must always end in either a valid scene or
 * located messages (exit 2): never any other exception.
 *
 * The same holds for scenes stored in outputs and read back with --from
 * (generated and mutated PNG, GIF, WebP, APNG, MP4 and WebM files).
 *
 * CI runs a bounded number of cases; `npm run test:fuzz` runs many more
 * (FUZZ_RUNS sets the count).
 */
import fc from 'fast-check';
import { InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commanderParser, maxWorkers } from '../src/cli/options.js';
import { optionIn, type TableKey } from '../src/scene/options/index.js';
import { SceneError, UserError } from '../src/errors.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { applyOverrides, LIMITS, parseSceneText, sceneFromFile, sceneFromJson, validateSceneData, type LoadedScene } from '../src/scene/index.js';
import { runCli, tempDir, writeScene } from './helpers.js';
import { deflateBomb, gifWithComment, pngWithText, riffWithChunk, runCliWithin, storedScene } from './stored-files.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const BASE = {
  name: 'prop',
  output: { size: [8, 6], fps: 4, duration: 1, formats: ['gif'] },
  network: { inputs: ['x', 'y', 'r', 't'], layers: { depth: 2, width: 4 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' } },
  keyframes: [
    { at: 0, seed: 1, zoom: 1 },
    { at: 0.5, seed: 2, zoom: 2, ease: 'in-out-sine' },
  ],
};

/** Every place a user can write a value (key paths into the scene). */
const PATHS: Array<Array<string | number>> = [
  ['name'], ['description'], ['seed'], ['loop'], ['weights'],
  ['output'], ['output', 'size'], ['output', 'size', 0], ['output', 'fps'], ['output', 'duration'], ['output', 'formats'], ['output', 'formats', 0],
  ['output', 'gif'], ['output', 'gif', 'size'], ['output', 'gif', 'colors'], ['output', 'gif', 'fps'], ['output', 'gif', 'dither'],
  ['output', 'mp4', 'crf'], ['output', 'webm', 'crf'],
  ['network'], ['network', 'inputs'], ['network', 'inputs', 0], ['network', 'latent'], ['network', 'time', 'mode'], ['network', 'time', 'scale'],
  ['network', 'layers'], ['network', 'layers', 'depth'], ['network', 'layers', 'width'],
  ['network', 'activation'], ['network', 'output', 'channels'], ['network', 'output', 'activation'],
  ['network', 'init'], ['network', 'init', 'uniform'], ['network', 'init', 'normal', 'std'], ['network', 'bias'], ['network', 'scale'], ['network', 'blend'],
  ['view', 'zoom'], ['view', 'center'], ['view', 'rotation'], ['colour', 'mode'], ['colour', 'palette'],
  ['keyframes'], ['keyframes', 0], ['keyframes', 1, 'at'], ['keyframes', 1, 'frame'], ['keyframes', 1, 'seed'], ['keyframes', 1, 'zoom'], ['keyframes', 1, 'ease'],
  ['keyframes', 1, 'scale'], ['keyframes', 1, 't'], ['keyframes', 0, 'weights'], ['keyframes', 2], ['orbit'], ['series'], ['series', 'seeds'], ['series', 'grid'],
];

/** Values that are wrong somewhere: wrong types, zero, negative, huge, NaN, reversed ranges, near-misses. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, -0.5, 1, 2, 3, 1e39, -1e39, 1e308, 5e-324, Number.NaN, Infinity, -Infinity, 2 ** 53, 16385, 100000, 0.1),
  fc.constantFrom('', ' ', 'x', '0x0', '99999x1', '1x1', '512x512', '-1x5', 'NaN', 'tanhh', 'cubic-bezier(0.2', 'cubic-bezier(2, 0, 0, 1)', 'steps(0)', '%', '../../etc/passwd'),
  fc.constantFrom(null, true, false, [], {}, [1, 0], [0, 1], [3, -3], [-3, 3], [1], [1, 2, 3], ['x', 'x'], { normal: { std: -1 } }, { uniform: [3, -3] }, { depth: 1e9, width: 0 }),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 4 })), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('at', 'seed', 'zoom', 'x', 'size', 'name', 'std'), fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 })), { maxKeys: 3 }),
);

function setPath(root: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let at: Record<string | number, unknown> = root;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      at[key] = value;
      return;
    }
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = typeof path[i + 1] === 'number' ? [] : {};
    at = at[key] as Record<string | number, unknown>;
  }
}

/** A user mistake: a SceneError whose every problem says where, or a UserError with a message. */
function expectLocated(error: unknown): void {
  if (error instanceof SceneError) {
    expect(error.problems.length).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.line !== undefined || p.path.length > 0 || p.file !== undefined, JSON.stringify(p)).toBe(true);
    }
    return;
  }
  if (error instanceof UserError) {
    expect(error.message.length).toBeGreaterThan(0);
    return;
  }
  throw error;
}

describe('generated scenes end in a valid scene or located messages, never an exception', () => {
  it(`${RUNS} documents, each with one to four fields made wrong`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...PATHS), nasty), { minLength: 1, maxLength: 4 }), (changes) => {
        const doc = structuredClone(BASE) as unknown as Record<string, unknown>;
        for (const [path, value] of changes) setPath(doc, path, value);
        const text = stringify(doc);
        let loaded: LoadedScene;
        try {
          const { data, source } = parseSceneText(text, 'prop.yaml');
          loaded = sceneFromFile(validateSceneData(data, source), 'prop.yaml', '/nonexistent', 'prop');
        } catch (error) {
          expectLocated(error);
          return;
        }
        // A valid scene renders: a small frame, with no NaN turned into an exception.
        const small = applyOverrides(loaded, { size: [4, 3] });
        const frame = new FrameRenderer(small.scene, small.library).renderFrame({ index: 0 });
        expect(frame.length).toBe(4 * 3 * 4);
      }),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} overrides (--size, --fps, --duration, --seed) on a valid scene`, () => {
    const { data, source } = parseSceneText(stringify(BASE), 'prop.yaml');
    const loaded = sceneFromFile(validateSceneData(data, source), 'prop.yaml', '/', 'prop');
    const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 1e-300, 1e300, Number.NaN, LIMITS.fps, LIMITS.duration));
    fc.assert(
      fc.property(fc.record({ fps: fc.option(anyNumber, { nil: undefined }), duration: fc.option(anyNumber, { nil: undefined }), seed: fc.option(fc.integer(), { nil: undefined }), size: fc.option(fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 })), { nil: undefined }) }), (overrides) => {
        try {
          const result = applyOverrides(loaded, overrides);
          expect(result.model.timeline.frameCount).toBeGreaterThan(0);
        } catch (error) {
          expectLocated(error);
          // The message names what is wrong, not an innocent flag.
          if (overrides.fps !== undefined && overrides.duration === undefined && error instanceof SceneError) expect(error.problems.map((p) => p.option)).not.toContain('duration');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('generated flag values end in a value within the limits or a clear error (exit 2)', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.double().map(String),
    fc.integer().map(String),
    fc.constantFrom('', ' ', '0', '-0', '-1', '1e-300', '1e309', 'NaN', 'Infinity', '0x0', '99999x1', '16384x16384', '1x1', '8x8 ', '0x10', '3.5', '1,2', 'gif,,mp4', 'GIF', 'png,webm'),
  );
  /** The parser the command line gives the option (in render, or still for --at). */
  const parserOf = (key: TableKey): ((t: string) => unknown) => {
    const parse = commanderParser(optionIn(key, key === 'at' ? 'still' : 'render'))!;
    return (text) => parse(text, undefined);
  };
  const parsers: Array<[string, (t: string) => unknown, (v: unknown) => boolean]> = [
    ['--size', parserOf('size'), (v) => Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.side) && v[0] * v[1] <= LIMITS.pixels],
    ['--fps', parserOf('fps'), (v) => typeof v === 'number' && v > 0 && v <= LIMITS.fps],
    ['--at', parserOf('at'), (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0],
    ['--workers', parserOf('workers'), (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= maxWorkers()],
    ['--seed', parserOf('seed'), (v) => Number.isSafeInteger(v)],
    ['--format', parserOf('formats'), (v) => Array.isArray(v) && v.length > 0],
  ];
  for (const [flag, parse, valid] of parsers) {
    it(`${flag}: ${RUNS} values`, () => {
      fc.assert(
        fc.property(text, (value) => {
          try {
            expect(valid(parse(value)), `${flag} ${JSON.stringify(value)}`).toBe(true);
          } catch (error) {
            if (!(error instanceof InvalidArgumentError || error instanceof UserError)) throw error;
            expect(error.message).toMatch(/\S/);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it(`the command itself, with generated flags: exit 0 or 2 with one message, never a stack trace (${Math.max(4, Math.round(RUNS / 30))} runs)`, async () => {
    const dir = tempDir();
    try {
      const scene = writeScene(dir.path, 'prop', stringify(BASE));
      const flagValue = fc.oneof(text, fc.constantFrom('2x2', '1', '0.5', '3'));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('--size', '--at', '--seed', '--workers', '--fps', '--duration'), flagValue, async (flag, value) => {
          const command = flag === '--fps' || flag === '--duration' ? 'render' : 'still';
          const args = [command, scene, flag, value, '--out', `${dir.path}/out${command === 'still' ? '.png' : ''}`, '-q'];
          if (flag !== '--size') args.push('--size', '2x2');
          if (command === 'render') args.push('--format', 'gif');
          const result = await runCli(args);
          expect([0, 2], `${args.join(' ')}\n${result.stderr}`).toContain(result.code);
          expect(result.stderr).not.toMatch(/\n\s+at /);
          if (result.code === 2) expect(result.stderr).toMatch(/^error: /);
        }),
        { numRuns: Math.max(4, Math.round(RUNS / 30)) },
      );
    } finally {
      dir.remove();
    }
  }, Math.max(4, Math.round(RUNS / 30)) * 10_000);
});

/**
 * Stored metadata: files made by the renderer, then mutated (bytes changed,
 * cut short, bytes inserted, a length field made to lie), and files made by
 * hand around generated stored text (packed or not, deflate bombs, nesting a
 * hundred thousand deep, weights named anywhere). Reading the scene back (what
 * --from does) must end in a valid scene or a user error that names the file
 * (damaged, not a cppn-motion file, or the stored scene's own problems):
 * never another exception, a quoted line of a file that is no scene, a hang
 * or memory without bound. The hostile cases also run as fixed examples, so
 * every run meets them; a failure is reported as found, not shrunk (one bad
 * case can cost seconds and gigabytes, and shrinking would repeat it).
 */
describe('--from on generated and mutated files ends in a scene or a clear user error', () => {
  let dir: ReturnType<typeof tempDir>;
  const originals = new Map<string, Buffer>();
  let bomb = '';
  beforeAll(async () => {
    dir = tempDir();
    const scene = writeScene(dir.path, 'made', stringify({ ...BASE, name: 'made', output: { ...BASE.output, formats: ['gif', 'webp', 'apng', 'mp4', 'webm'] } }));
    const render = await runCli(['render', scene, '--out', join(dir.path, 'made'), '-q']);
    expect(render.code, render.stderr).toBe(0);
    const still = await runCli(['still', scene, '--out', join(dir.path, 'made.png'), '-q']);
    expect(still.code, still.stderr).toBe(0);
    for (const ext of ['gif', 'webp', 'apng', 'mp4', 'webm', 'png']) originals.set(ext, readFileSync(join(dir.path, `made.${ext}`)));
    // As in the report that found it: about 2 MB that unpack to 1.5 GB.
    bomb = await deflateBomb(1536);
  });
  afterAll(() => dir?.remove());

  /** What --from does: read the stored scene, then load it. */
  async function readBack(path: string): Promise<'scene' | 'refused'> {
    try {
      sceneFromJson(await readSceneMetadata(path), path);
      return 'scene';
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // A clear message names the file it is about, says what is wrong with it, and repeats nothing of a file that is no scene.
      expect(error.message).toContain(path);
      expect(error.message).not.toMatch(/RangeError|TypeError|Invalid string length|Cannot create a string|allocation failed|ERR_|Maximum call stack|root:/);
      if (error instanceof SceneError) return 'refused';
      expect(error.message.length).toBeLessThan(2000);
      expect(error.message).toMatch(/is damaged|not a cppn-motion file|holds no cppn-motion scene|not a PNG file|its stored scene (is refused|takes weights from)/);
      return 'refused';
    }
  }

  /** Stored texts no reader should survive by luck: named, so that the examples below can ask for each. */
  const HOSTILE: Record<string, () => string> = {
    bomb: () => bomb,
    deep: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    'weights elsewhere': () => storedScene({ weights: '/etc/passwd', keyframes: [{ at: 0, zoom: 1 }] }),
    'packed garbage': () => 'cppn-motion:deflate:!!!!AAAA',
    'packed nothing': () => 'cppn-motion:deflate:',
  };

  /** Text a stored scene might hold: the real one changed, generated JSON, nothing sensible, or a hostile one. */
  const storedText: fc.Arbitrary<string> = fc.oneof(
    fc.constant(storedScene()),
    fc.tuple(fc.constantFrom(...PATHS), nasty).map(([path, value]) => {
      const doc = JSON.parse(storedScene()) as Record<string, unknown>;
      setPath(doc, path, value);
      return JSON.stringify(doc);
    }),
    fc.json({ maxDepth: 4 }),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('', '{', '[]', 'null', '"x"', '{"name": 1}'),
    fc.constantFrom(...Object.keys(HOSTILE)).map((name) => HOSTILE[name]()),
  );

  /**
   * The length fields of a file's chunks (PNG, APNG: big-endian; WebP's RIFF:
   * little-endian; MP4: the atoms' sizes, big-endian), for mutations that
   * make a length lie.
   */
  function lengthFields(ext: string, data: Buffer): Array<{ at: number; littleEndian: boolean }> {
    const fields: Array<{ at: number; littleEndian: boolean }> = [];
    if (ext === 'png' || ext === 'apng') {
      for (let at = 8; at + 8 <= data.length; at += 12 + data.readUInt32BE(at)) {
        fields.push({ at, littleEndian: false });
        if (data.toString('latin1', at + 4, at + 8) === 'IEND') break;
      }
    } else if (ext === 'webp') {
      for (let at = 12; at + 8 <= data.length; at += 8 + data.readUInt32LE(at + 4) + (data.readUInt32LE(at + 4) % 2)) fields.push({ at: at + 4, littleEndian: true });
    } else if (ext === 'mp4') {
      const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'udta', 'edts', 'dinf']);
      const walk = (from: number, to: number): void => {
        for (let at = from; at + 8 <= to; ) {
          const size = data.readUInt32BE(at);
          if (size < 8) return;
          fields.push({ at, littleEndian: false });
          if (containers.has(data.toString('latin1', at + 4, at + 8))) walk(at + 8, Math.min(to, at + size));
          if (data.toString('latin1', at + 4, at + 8) === 'meta') walk(at + 12, Math.min(to, at + size));
          at += size;
        }
      };
      walk(0, data.length);
    }
    return fields;
  }

  /** A change to a file's bytes: some bytes set, cut short, bytes inserted, or a chunk's length made to lie. */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), values: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), values: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('lie' as const), field: fc.integer(), value: fc.constantFrom<number>(0, 1, 7, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fff0) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
  function mutate(ext: string, data: Buffer, changes: Mutation[]): Buffer {
    let out = Buffer.from(data);
    for (const change of changes) {
      if (change.kind === 'lie') {
        // A field counted from the end when negative (-2: an APNG's scene chunk, just before IEND).
        const fields = lengthFields(ext, out);
        if (fields.length === 0) continue;
        const field = fields[((change.field % fields.length) + fields.length) % fields.length];
        if (field.littleEndian) out.writeUInt32LE(change.value >>> 0, field.at);
        else out.writeUInt32BE(change.value >>> 0, field.at);
        continue;
      }
      const at = out.length === 0 ? 0 : change.at % out.length;
      if (change.kind === 'set') out.set(change.values.subarray(0, out.length - at), at);
      else if (change.kind === 'cut') out = out.subarray(0, at);
      else out = Buffer.concat([out.subarray(0, at), change.values, out.subarray(at)]);
    }
    return out;
  }

  /** Reads the file back within a deadline and a memory budget (a sync read without bound would fail both). */
  const within = async (path: string, data: Buffer): Promise<void> => {
    writeFileSync(path, data);
    const started = performance.now();
    const rss = process.memoryUsage().rss;
    await readBack(path);
    expect(performance.now() - started, path).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss, path).toBeLessThan(1024 * 1024 * 1024);
  };

  const lie = (field: number, value: number): Mutation[] => [{ kind: 'lie', field, value }];
  it(`${RUNS} renderer-made PNG, GIF, WebP and APNG files, mutated (each format's scene chunk made to claim 2 GB and 4 GB among them)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('png', 'gif', 'webp', 'apng'), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ext, changes) => {
        await within(join(dir.path, `mutated.${ext}`), mutate(ext, originals.get(ext)!, changes));
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: [
          ['png', lie(1, 0x7fff_ffff)], ['png', lie(1, 0xffff_fff0)], ['apng', lie(-2, 0x7fff_ffff)], ['apng', lie(-2, 0xffff_ffff)],
          ['webp', lie(-1, 0xffff_fff0)], ['webp', lie(-1, 0x7fff_ffff)], ['gif', [{ kind: 'cut', at: 60 }]],
        ],
      },
    );
  });

  it(`${RUNS} files made around generated stored text (PNG text chunk, GIF comment, WebP chunk), the hostile ones in every format`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('png', 'apng', 'gif', 'webp'), storedText, fc.array(mutation, { maxLength: 2 }), async (ext, text, changes) => {
        const file = ext === 'gif' ? gifWithComment(text) : ext === 'webp' ? riffWithChunk('CPPN', Buffer.from(text)) : pngWithText(text);
        await within(join(dir.path, `generated.${ext}`), mutate(ext, file, changes));
      }),
      { numRuns: RUNS, endOnFailure: true, examples: ['png', 'gif', 'webp'].flatMap((ext) => Object.values(HOSTILE).map((text): [string, string, Mutation[]] => [ext, text(), []])) },
    );
  });

  it(`${Math.max(6, Math.round(RUNS / 10))} renderer-made MP4 and WebM files, mutated (read by ffmpeg; atoms made to lie among them)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('mp4', 'webm'), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ext, changes) => {
        await within(join(dir.path, `mutated.${ext}`), mutate(ext, originals.get(ext)!, changes));
      }),
      { numRuns: Math.max(6, Math.round(RUNS / 10)), endOnFailure: true, examples: [['mp4', lie(-1, 0xffff_ffff)], ['mp4', lie(2, 0x7fff_ffff)], ['mp4', lie(5, 1)]] },
    );
  });

  it('the unchanged files read back as the scene that made them', async () => {
    for (const ext of originals.keys()) expect(await readBack(join(dir.path, `made.${ext}`)), ext).toBe('scene');
  });

  it(`the command itself, still --from mutated files: exit 0 or 2 with one message, never a stack trace (${Math.max(4, Math.round(RUNS / 30))} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('png', 'gif', 'webp', 'apng', 'mp4'), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ext, changes) => {
        const path = join(dir.path, `cli.${ext}`);
        writeFileSync(path, mutate(ext, originals.get(ext)!, changes));
        const result = await runCliWithin(['still', '--from', path, '--size', '4x3', '--out', join(dir.path, 'cli-out.png'), '-q'], 30_000);
        expect(result.timedOut).toBe(false);
        expect([0, 2], `${ext}: ${result.stderr}`).toContain(result.code);
        expect(result.stderr).not.toMatch(/\n\s+at |RangeError|Invalid string length|Cannot create a string|ERR_/);
        if (result.code === 2) expect(result.stderr).toMatch(/^error: /);
      }),
      { numRuns: Math.max(4, Math.round(RUNS / 30)), endOnFailure: true, examples: [['png', lie(1, 0x7fff_ffff)], ['webp', lie(-1, 0xffff_fff0)]] },
    );
  }, Math.max(4, Math.round(RUNS / 30)) * 30_000);
});
