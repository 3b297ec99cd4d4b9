import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGifComment } from '../src/encode/gif-file.js';
import { ffprobe, readPng, runCli, sha256, smallScene, tempDir, writeScene } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const SMALL = smallScene('small');

describe('cppn-motion render', () => {
  it('writes an H.264 MP4 and a looping GIF with the right size, frame count and duration', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    const result = await runCli(['render', scene, '--out', join(dir.path, 'out', 'small')]);
    expect(result.stderr).toContain('wrote');
    expect(result.code).toBe(0);
    const mp4 = await ffprobe(join(dir.path, 'out', 'small.mp4'));
    expect(mp4.streams[0]).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 48, height: 32, nb_read_frames: '12' });
    expect(Number(mp4.format.duration)).toBeCloseTo(1, 1);
    const gif = await ffprobe(join(dir.path, 'out', 'small.gif'));
    expect(gif.streams[0]).toMatchObject({ codec_name: 'gif', width: 48, height: 32, nb_read_frames: '12' });
    // Delays are spread over 8 and 9 hundredths so 12 frames last exactly 1 s.
    expect(Number(gif.format.duration)).toBeCloseTo(1, 2);
    const bytes = readFileSync(join(dir.path, 'out', 'small.gif'));
    const netscape = bytes.indexOf('NETSCAPE2.0');
    expect(netscape).toBeGreaterThan(0);
    expect(bytes.readUInt16LE(netscape + 13)).toBe(0); // loop count 0 = forever
    // faststart: the index (moov) comes before the media data (mdat).
    const mp4Bytes = readFileSync(join(dir.path, 'out', 'small.mp4'));
    expect(mp4Bytes.indexOf('moov')).toBeLessThan(mp4Bytes.indexOf('mdat'));
  });

  it('stores the resolved scene in the MP4 and the GIF, and --from re-renders it at another size', async () => {
    const mp4Scene = JSON.parse((await ffprobe(join(dir.path, 'out', 'small.mp4'))).format.tags!.comment);
    expect(mp4Scene.name).toBe('small');
    expect(mp4Scene.keyframes[1].seed).toBe(3);
    const gifScene = JSON.parse(readGifComment(join(dir.path, 'out', 'small.gif'))!);
    expect(gifScene).toEqual(mp4Scene);
    const again = await runCli(['render', '--from', join(dir.path, 'out', 'small.mp4'), '--size', '96x64', '--format', 'mp4', '--out', join(dir.path, 'big')]);
    expect(again.code, again.stderr).toBe(0);
    const big = await ffprobe(join(dir.path, 'big.mp4'));
    expect(big.streams[0]).toMatchObject({ width: 96, height: 64, nb_read_frames: '12' });
    const fromGif = await runCli(['still', '--from', join(dir.path, 'out', 'small.gif'), '--out', join(dir.path, 'from-gif.png')]);
    expect(fromGif.code, fromGif.stderr).toBe(0);
  });

  it('flags override the scene: --size, --fps, --duration and --format (WebM, PNG frames)', async () => {
    const scene = writeScene(dir.path, 'flags', SMALL.replace('name: small', 'name: flags'));
    const result = await runCli(['render', scene, '--size', '40x24', '--fps', '10', '--duration', '0.5', '--format', 'webm,png', '--out', join(dir.path, 'flags')]);
    expect(result.code, result.stderr).toBe(0);
    const webm = await ffprobe(join(dir.path, 'flags.webm'));
    expect(webm.streams[0]).toMatchObject({ codec_name: 'vp9', width: 40, height: 24, nb_read_frames: '5' });
    // WebM keeps the scene too (Matroska calls the tag COMMENT).
    const fromWebm = await runCli(['still', '--from', join(dir.path, 'flags.webm'), '--out', join(dir.path, 'from-webm.png')]);
    expect(fromWebm.code, fromWebm.stderr).toBe(0);
    const frames = readdirSync(join(dir.path, 'flags-frames')).sort();
    expect(frames).toEqual(['frame-00000.png', 'frame-00001.png', 'frame-00002.png', 'frame-00003.png', 'frame-00004.png']);
    expect((await readPng(join(dir.path, 'flags-frames', 'frame-00000.png'))).width).toBe(40);
  });

  it('the GIF keeps the colours of the frames (palette and dithering only add fine noise)', async () => {
    const { locateFfmpeg } = await import('../src/encode/ffmpeg.js');
    const { spawnSync } = await import('node:child_process');
    const scene = writeScene(dir.path, 'colours', SMALL.replace('name: small', 'name: colours').replace('[48, 32]', '[64, 64]'));
    const result = await runCli(['render', scene, '--format', 'gif,png', '--out', join(dir.path, 'colours')]);
    expect(result.code, result.stderr).toBe(0);
    const extracted = join(dir.path, 'colours-gif-frame.png');
    spawnSync(locateFfmpeg().path, ['-v', 'error', '-i', join(dir.path, 'colours.gif'), '-vf', 'select=eq(n\\,7)', '-vsync', '0', '-frames:v', '1', '-y', extracted]);
    const gif = (await readPng(extracted)).data;
    const exact = (await readPng(join(dir.path, 'colours-frames', 'frame-00007.png'))).data;
    let difference = 0;
    const means = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < gif.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        difference += Math.abs(gif[i + c] - exact[i + c]);
        means[c] += gif[i + c];
        means[c + 3] += exact[i + c];
      }
    }
    const pixels = gif.length / 4;
    expect(difference / (pixels * 3)).toBeLessThan(8);
    for (let c = 0; c < 3; c++) expect(Math.abs(means[c] - means[c + 3]) / pixels).toBeLessThan(6);
  });

  it('handles odd sizes: the MP4 drops the last row and column, the GIF keeps them', async () => {
    const scene = writeScene(dir.path, 'odd', SMALL.replace('name: small', 'name: odd').replace('[48, 32]', '[33, 21]'));
    const result = await runCli(['render', scene, '--out', join(dir.path, 'odd')]);
    expect(result.code, result.stderr).toBe(0);
    expect((await ffprobe(join(dir.path, 'odd.mp4'))).streams[0]).toMatchObject({ width: 32, height: 20 });
    expect((await ffprobe(join(dir.path, 'odd.gif'))).streams[0]).toMatchObject({ width: 33, height: 21 });
  });

  it('renders bit-identical frames with one worker and with two', async () => {
    const scene = writeScene(dir.path, 'same', SMALL.replace('name: small', 'name: same'));
    const hashes: string[][] = [];
    for (const workers of ['1', '2']) {
      const out = join(dir.path, `same-${workers}`);
      const result = await runCli(['render', scene, '--format', 'png', '--workers', workers, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      const files = readdirSync(`${out}-frames`).sort();
      hashes.push(await Promise.all(files.map(async (f) => sha256((await readPng(join(`${out}-frames`, f))).data))));
    }
    expect(hashes[0]).toHaveLength(12);
    expect(new Set(hashes[0]).size).toBe(12);
    expect(hashes[1]).toEqual(hashes[0]);
  });

  it('shows progress as plain lines when not on a terminal, and nothing with --quiet', async () => {
    const scene = writeScene(dir.path, 'progress', SMALL.replace('name: small', 'name: progress'));
    const loud = await runCli(['render', scene, '--format', 'mp4', '--out', join(dir.path, 'progress')]);
    expect(loud.stderr).toMatch(/rendering progress: 12\/12 frames, [\d.]+ fps, 0s left/);
    const quiet = await runCli(['render', scene, '--format', 'mp4', '--quiet', '--out', join(dir.path, 'progress')]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});

describe('bad input and faults: a clear error, nothing lost', () => {
  it('a bad scene exits with code 2, says where, and writes nothing', async () => {
    const out = join(dir.path, 'bad-out');
    const scene = writeScene(dir.path, 'bad', 'name: bad\nkeyframes:\n  - { at: 0, zoom: 1, ease: bouncy }\n');
    const result = await runCli(['render', scene, '--out', join(out, 'bad')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+: keyframes\[0\]\.ease: "bouncy" is not an easing; use one of linear, hold/);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing ffmpeg is reported, with exit code 1 and no output', async () => {
    const scene = writeScene(dir.path, 'noffmpeg', SMALL.replace('name: small', 'name: noffmpeg'));
    const result = await runCli(['render', scene, '--out', join(dir.path, 'noffmpeg')], { env: { FFMPEG_PATH: join(dir.path, 'no-such-ffmpeg') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FFMPEG_PATH is');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir.path).filter((f) => f.startsWith('noffmpeg') && !f.endsWith('.yaml'))).toEqual([]);
  });

  it('ffmpeg failing mid-way leaves the existing output untouched and no temporary files', async () => {
    const fake = join(dir.path, 'dying-ffmpeg.sh');
    // Reads a little of the input, complains and dies, as a full disk would make it.
    writeFileSync(fake, '#!/bin/sh\nhead -c 20000 >/dev/null\necho "av_interleaved_write_frame(): No space left on device" >&2\nexit 1\n', { mode: 0o755 });
    const outDir = join(dir.path, 'dying');
    const scene = writeScene(dir.path, 'dying', SMALL.replace('name: small', 'name: dying').replace('duration: 1', 'duration: 4'));
    await runCli(['render', scene, '--format', 'mp4', '--out', join(outDir, 'dying')]);
    writeFileSync(join(outDir, 'dying.mp4'), 'the previous render');
    const result = await runCli(['render', scene, '--format', 'mp4', '--out', join(outDir, 'dying')], { env: { FFMPEG_PATH: fake } });
    expect(result.code).toBe(1);
    expect(result.stderr, result.stderr).toContain('No space left on device');
    expect(readFileSync(join(outDir, 'dying.mp4'), 'utf8')).toBe('the previous render');
    expect(readdirSync(outDir)).toEqual(['dying.mp4']);
  });

  it('a render whose MP4 fails at the end replaces none of the old outputs, not even the finished GIF', async () => {
    const { locateFfmpeg } = await import('../src/encode/ffmpeg.js');
    const failing = join(dir.path, 'late-failing-ffmpeg.sh');
    writeFileSync(failing, `#!/bin/sh\ncase "$*" in *libx264*) "${locateFfmpeg().path}" "$@"; echo "moov atom write failed" >&2; exit 1;; esac\nexec "${locateFfmpeg().path}" "$@"\n`, { mode: 0o755 });
    const outDir = join(dir.path, 'together');
    const scene = writeScene(dir.path, 'together', SMALL.replace('name: small', 'name: together'));
    await runCli(['render', scene, '--out', join(outDir, 'together')]);
    writeFileSync(join(outDir, 'together.mp4'), 'old mp4');
    writeFileSync(join(outDir, 'together.gif'), 'old gif');
    const result = await runCli(['render', scene, '--out', join(outDir, 'together')], { env: { FFMPEG_PATH: failing } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('moov atom write failed');
    expect(readFileSync(join(outDir, 'together.mp4'), 'utf8')).toBe('old mp4');
    expect(readFileSync(join(outDir, 'together.gif'), 'utf8')).toBe('old gif');
    expect(readdirSync(outDir).sort()).toEqual(['together.gif', 'together.mp4']);
  });

  it('an output path that is a folder, or lies under a file, is refused with exit code 2', async () => {
    const folder = join(dir.path, 'a-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'keep');
    const still = await runCli(['still', 'scenes/artsy.yaml', '--size', '16x16', '--out', folder]);
    expect(still.code).toBe(2);
    expect(still.stderr).toContain('is a folder; give a file name');
    expect(readFileSync(join(folder, 'keep.txt'), 'utf8')).toBe('keep');
    const under = await runCli(['render', 'scenes/drift.yaml', '--size', '16x16', '--duration', '0.2', '--out', join(folder, 'keep.txt', 'clip')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toContain('a file stands where a folder is needed');
    expect(under.stderr).not.toMatch(/\n\s+at /);
  });

  it('--seed names the outputs after the seed, and the name travels with --from', async () => {
    const scene = writeScene(dir.path, 'seeded', SMALL.replace('name: small', 'name: seeded'));
    const first = await runCli(['render', scene, '--seed', '7', '--format', 'gif'], { cwd: dir.path });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'output', 'seeded-seed-7.gif'))).toBe(true);
    const again = await runCli(['still', '--from', join(dir.path, 'output', 'seeded-seed-7.gif')], { cwd: dir.path });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'output', 'seeded-seed-7.png'))).toBe(true);
  });

  it('Ctrl-C stops the render, removes temporary files, keeps the old output, exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./helpers.js');
    const outDir = join(dir.path, 'interrupted');
    const scene = writeScene(dir.path, 'long', SMALL.replace('name: small', 'name: long').replace('[48, 32]', '[256, 256]').replace('duration: 1', 'duration: 60'));
    const first = await runCli(['render', scene, '--duration', '0.5', '--out', join(outDir, 'long')]);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(outDir, 'long.gif'));
    const child = spawn(process.execPath, [CLI, 'render', scene, '--out', join(outDir, 'long')]);
    let stderr = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/rendering long: \d+\/720 frames/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', done);
    });
    expect(code).toBe(130);
    expect(stderr).toContain('stopped: interrupted by SIGINT');
    expect(readFileSync(join(outDir, 'long.gif')).equals(before)).toBe(true);
    expect(readdirSync(outDir).sort()).toEqual(['long.gif', 'long.mp4']);
  });
});

describe('validate, doctor and the JSON Schema', () => {
  it('validate checks every example scene without rendering', async () => {
    const scenes = readdirSync('scenes').filter((f) => f.endsWith('.yaml')).map((f) => join('scenes', f));
    const result = await runCli(['validate', ...scenes]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/: ok — /g)).toHaveLength(scenes.length);
  });

  it('validate reports a broken scene with exit code 2', async () => {
    const scene = writeScene(dir.path, 'broken', 'output: { fps: -3 }\n');
    const result = await runCli(['validate', scene]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml:1:\d+: output\.fps: is number -3; it must be more than 0/);
  });

  it('doctor names the ffmpeg in use and finds the needed encoders', async () => {
    const result = await runCli(['doctor']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ffmpeg: +\S+ffmpeg/);
    expect(result.stdout).toMatch(/ok +libx264/);
    expect(result.stdout).toMatch(/ok +libvpx-vp9/);
  });

  it('the committed scene.schema.json is generated from the loader schema, and example scenes reference it', async () => {
    const { sceneJsonSchemaText } = await import('../src/scene/json-schema.js');
    expect(readFileSync('scene.schema.json', 'utf8')).toBe(sceneJsonSchemaText());
    for (const file of readdirSync('scenes').filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join('scenes', file), 'utf8').split('\n')[0], file).toBe('# yaml-language-server: $schema=../scene.schema.json');
    }
  });
});
