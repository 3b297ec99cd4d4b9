/**
 * Inputs that are not what they claim: devices, pipes and folders given as
 * files, stored scenes that name files outside their folder, deflate bombs,
 * lengths that lie. Each is refused at once, with a clear message, having
 * read nothing beyond its limit.
 */
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPng, runCli, sha256, smallScene, useSceneFolder, writeScene } from './helpers.js';
import { startPreview } from './preview-helpers.js';
import { FULL_TIER_ONLY } from './tier.js';
import { deflateBomb, gifWithComment, pngWithLyingText, pngWithText, riffWithChunk, runCliWithin, storedScene } from './stored-files.js';

const SCENE = smallScene('fault');

const scratch = useSceneFolder('fault', SCENE);

describe('special files and hostile stored scenes: refused quickly with a clear message, nothing read beyond its limit', () => {
  const mkfifo = async (path: string): Promise<string> => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('a device, a named pipe or a folder as the scene, its weights file or the picture to fit: exit 2 at once, saying what it is', async () => {
    const pipe = await mkfifo(join(scratch.dir, 'special-pipe'));
    const picture = join(scratch.dir, 'picture-to-fit.png');
    writeFileSync(picture, pngWithText(storedScene()));
    const weightsFrom = (name: string, target: string): string => writeScene(scratch.dir, name, SCENE.replace(/keyframes:[\s\S]*$/, `weights: ${target}\nkeyframes:\n  - { at: 0, zoom: 1 }\n`));
    const cases: Array<[string[], RegExp]> = [
      [['validate', '/dev/zero'], /^error: scene file \/dev\/zero is a device, not a regular file; only regular files are read\n$/],
      [['validate', pipe], /^error: scene file .*special-pipe is a named pipe, not a regular file; only regular files are read\n$/],
      [['still', weightsFrom('w-zero', '/dev/zero'), '--out', join(scratch.dir, 'w.png'), '-q'], /^error: weights file \/dev\/zero is a device, not a regular file/],
      [['still', weightsFrom('w-pipe', pipe), '--out', join(scratch.dir, 'w.png'), '-q'], /^error: weights file .*special-pipe is a named pipe, not a regular file/],
      [['still', weightsFrom('w-folder', scratch.dir), '--out', join(scratch.dir, 'w.png'), '-q'], /^error: weights file .* is a folder, not a regular file/],
      [['fit', '/dev/zero', '--out', join(scratch.dir, 'fit.json'), '-q'], /^error: target image \/dev\/zero is a device, not a regular file/],
      [['fit', pipe, '--out', join(scratch.dir, 'fit.json'), '-q'], /^error: target image .*special-pipe is a named pipe, not a regular file/],
      [['fit', picture, '--init', pipe, '--out', join(scratch.dir, 'fit.json'), '-q'], /^error: --init .*special-pipe is a named pipe, not a regular file/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliWithin(args, 15_000);
      expect(result.timedOut, args.join(' ')).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it("a weights file that is not JSON (a password file) is refused without quoting a byte of it", async () => {
    writeFileSync(join(scratch.dir, 'secret.txt'), 'root:x:0:0:the-secret-line:/root:/bin/bash\n');
    const path = writeScene(scratch.dir, 'w-secret', SCENE.replace(/keyframes:[\s\S]*$/, 'weights: secret.txt\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    const result = await runCliWithin(['still', path, '--out', join(scratch.dir, 'w.png'), '-q'], 15_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/weights file .*secret\.txt is not valid JSON/);
    expect(result.stderr).not.toMatch(/root|secret-line|bash/);
  });

  it('still --from a shared PNG whose stored scene names /dev/zero, a pipe or /etc/passwd as weights: exit 2 at once, nothing outside its folder read', async () => {
    const pipe = await mkfifo(join(scratch.dir, 'stored-pipe'));
    const shared = join(scratch.dir, 'shared');
    mkdirSync(shared);
    for (const [name, weights] of [['zero', '/dev/zero'], ['pipe', pipe], ['passwd', '/etc/passwd']]) {
      const file = join(shared, `${name}.png`);
      writeFileSync(file, pngWithText(storedScene({ weights, keyframes: [{ at: 0, zoom: 1 }] })));
      const result = await runCliWithin(['still', '--from', file, '--out', join(scratch.dir, 'from-shared.png'), '-q'], 15_000);
      expect(result.timedOut, name).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`its stored scene takes weights from ${weights.split('/').pop()} (made with ${weights}), which is not beside it in ${shared}; a scene read from a file reads weights files only from that file's folder`);
      expect(result.stderr).not.toMatch(/root:/);
    }
    // Beside it, a link to a device is still a device.
    symlinkSync('/dev/zero', join(shared, 'zero'));
    const linked = await runCliWithin(['still', '--from', join(shared, 'zero.png'), '--out', join(scratch.dir, 'from-shared.png'), '-q'], 15_000);
    expect(linked.code, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/weights file .*shared\/zero is a device, not a regular file/);
    expect(existsSync(join(scratch.dir, 'from-shared.png'))).toBe(false);
  });

  it('an output made from a weights file renders --from anywhere its weights file lies beside it, and nowhere else', async () => {
    const made = join(scratch.dir, 'made');
    mkdirSync(made);
    expect((await runCli(['weights', 'export', scratch.scene, '--seed', '5'], { stdoutFile: join(made, 'w5.json') })).code).toBe(0);
    const path = writeScene(made, 'from-weights', SCENE.replace('name: fault', 'name: from-weights').replace(/keyframes:[\s\S]*$/, 'weights: w5.json\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    expect((await runCli(['still', path, '--out', join(made, 'picture.png'), '-q'])).code).toBe(0);
    const moved = join(scratch.dir, 'moved');
    mkdirSync(moved);
    renameSync(join(made, 'picture.png'), join(moved, 'picture.png'));
    const alone = await runCli(['still', '--from', join(moved, 'picture.png'), '--out', join(scratch.dir, 'again.png'), '-q']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(`takes weights from w5.json (made with ${join(made, 'w5.json')}), which is not beside it in ${moved}`);
    expect(alone.stderr).toContain(`hint: copy w5.json next to ${join(moved, 'picture.png')}, or render from the scene file`);
    renameSync(join(made, 'w5.json'), join(moved, 'w5.json'));
    const together = await runCli(['still', '--from', join(moved, 'picture.png'), '--out', join(scratch.dir, 'again.png'), '-q']);
    expect(together.code, together.stderr).toBe(0);
    expect(sha256((await readPng(join(scratch.dir, 'again.png'))).data)).toBe(sha256((await readPng(join(moved, 'picture.png'))).data));
  });

  // Full tier: a named pipe as the scene or its weights is checked above.
  it('--from a named pipe given an output\'s name (.mp4, .gif, …): refused before ffmpeg or a reader opens it', FULL_TIER_ONLY, async () => {
    for (const ext of ['mp4', 'webm', 'gif', 'png', 'webp', 'apng']) {
      const pipe = await mkfifo(join(scratch.dir, `pipe.${ext}`));
      const result = await runCliWithin(['still', '--from', pipe, '--out', join(scratch.dir, 'p.png'), '-q'], 15_000);
      expect(result.timedOut, ext).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: --from ${pipe} is a named pipe, not a regular file; only regular files are read`);
    }
  });

  it('a deflate bomb in stored metadata (a 2 MB PNG or GIF whose packed scene unpacks to 1.5 GB) is refused in moments', async () => {
    const bomb = await deflateBomb(1536);
    const files: Array<[string, Buffer]> = [['bomb.png', pngWithText(bomb)], ['bomb.gif', gifWithComment(bomb)], ['bomb.webp', riffWithChunk('CPPN', Buffer.from(bomb))]];
    for (const [name, data] of files) {
      expect(data.length).toBeLessThan(2.5 * 1024 * 1024);
      writeFileSync(join(scratch.dir, name), data);
      const result = await runCliWithin(['still', '--from', join(scratch.dir, name), '--out', join(scratch.dir, 'b.png'), '-q'], 30_000);
      expect(result.timedOut, name).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: --from ${join(scratch.dir, name)}: its stored scene unpacks to more than 16 MB, more than a stored scene may be; it is damaged or not a cppn-motion file`);
      expect(result.seconds).toBeLessThan(10);
    }
  });

  it('stored lengths that lie (a PNG text chunk claiming 2 GB, a WebP chunk claiming 4 GB) make the file "damaged", not an engine error', async () => {
    const files: Array<[string, Buffer, RegExp]> = [
      ['lying.png', pngWithLyingText(0x7fff_fff0), /is damaged: its "iTXt" chunk at byte 33 claims 2147483632 bytes, past the file's end/],
      ['lying.apng', pngWithLyingText(0xffff_fff0), /is damaged: its "iTXt" chunk at byte 33 claims 4294967280 bytes, past the file's end/],
      ['lying.webp', riffWithChunk('CPPN', Buffer.from(storedScene()), 0xffff_fff0), /is damaged: its "CPPN" chunk at byte 12 claims 4294967280 bytes, past the file's end/],
      ['short.gif', gifWithComment(storedScene()).subarray(0, 40), /is damaged: it ends before its first picture/],
      ['huge.webp', Buffer.concat([riffWithChunk('CPPN', Buffer.alloc(17 * 1024 * 1024, 32))]), /its stored scene is 17 MB, more than a stored scene may be \(16 MB\)/],
    ];
    for (const [name, data, message] of files) {
      writeFileSync(join(scratch.dir, name), data);
      const result = await runCliWithin(['still', '--from', join(scratch.dir, name), '--out', join(scratch.dir, 'l.png'), '-q'], 15_000);
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/RangeError|Invalid string length|ERR_|\n\s+at /);
    }
  });

  it('preview: a scene whose weights are /dev/zero or a pipe gets an error answer at once, and SIGTERM still stops the server', async () => {
    const folder = join(scratch.dir, 'preview-special');
    mkdirSync(folder);
    const pipe = await mkfifo(join(folder, 'pipe.json'));
    writeScene(folder, 'zero', SCENE.replace('name: fault', 'name: zero').replace(/keyframes:[\s\S]*$/, 'weights: /dev/zero\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    writeScene(folder, 'pipe', SCENE.replace('name: fault', 'name: pipe').replace(/keyframes:[\s\S]*$/, `weights: ${pipe}\nkeyframes:\n  - { at: 0, zoom: 1 }\n`));
    const preview = await startPreview([folder]);
    try {
      const scenes = (await (await fetch(new URL('/api/scenes', preview.url))).json()) as Array<{ id: number; name: string }>;
      expect(scenes.map((s) => s.name).sort()).toEqual(['pipe', 'zero']);
      for (const { id, name } of scenes) {
        const answer = await fetch(new URL(`/api/scenes/${id}/inspect?at=0`, preview.url), { signal: AbortSignal.timeout(10_000) });
        expect((await answer.json()) as { error?: string }, name).toMatchObject({ error: expect.stringMatching(name === 'zero' ? /weights file \/dev\/zero is a device, not a regular file/ : /weights file .*pipe\.json is a named pipe, not a regular file/) });
        const file = await fetch(new URL(`/files/${id}/pipe.json`, preview.url), { signal: AbortSignal.timeout(10_000) });
        expect(file.status).toBe(404);
      }
      preview.child.kill('SIGTERM');
      const code = await Promise.race([new Promise((done) => preview.child.on('close', (c, signal) => done(c ?? signal))), new Promise((done) => setTimeout(() => done('still running'), 10_000))]);
      expect(code).not.toBe('still running');
    } finally {
      preview.child.kill('SIGKILL');
    }
  });
});
