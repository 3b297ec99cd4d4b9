/**
 * Property-based tests: generated scene documents and flag values, wrong in
 * every way we can think of (wrong types, zero, negative, huge, NaN, reversed
 * ranges, in every field), must always end in either a valid scene or
 * located messages (exit 2): never any other exception.
 *
 * CI runs a bounded number of cases; `npm run test:fuzz` runs many more
 * (FUZZ_RUNS sets the count).
 */
import fc from 'fast-check';
import { InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { maxWorkers, parseFormats, parseNonNegative, parsePositive, parseSeed, parseSize, parseWorkers } from '../src/cli/options.js';
import { SceneError, UserError } from '../src/errors.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { applyOverrides, LIMITS, parseSceneText, sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';
import { runCli, tempDir, writeScene } from './helpers.js';

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
          if (overrides.fps !== undefined && overrides.duration === undefined && error instanceof SceneError) expect(error.message).not.toContain('--duration');
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
  const parsers: Array<[string, (t: string) => unknown, (v: unknown) => boolean]> = [
    ['--size', parseSize, (v) => Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.side) && v[0] * v[1] <= LIMITS.pixels],
    ['--fps', parsePositive(LIMITS.fps), (v) => typeof v === 'number' && v > 0 && v <= LIMITS.fps],
    ['--at', parseNonNegative, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0],
    ['--workers', parseWorkers, (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= maxWorkers()],
    ['--seed', parseSeed, (v) => Number.isSafeInteger(v)],
    ['--format', parseFormats, (v) => Array.isArray(v) && v.length > 0],
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
