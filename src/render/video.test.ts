import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sceneFromFile, validateSceneData } from '../index.js';
import type { FrameBackend } from './frame-backend.js';
import { createLocalBackend } from './local-backend.js';
import { renderVideo } from './video.js';

const folder = mkdtempSync(join(tmpdir(), 'video-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const scene = validateSceneData({
  name: 'joins',
  output: { size: [32, 24], fps: 10, duration: 3 },
  network: { inputs: ['x', 'y'], layers: { depth: 2, width: 4 } },
  keyframes: [{ at: 0, seed: 1 }, { at: 3, seed: 2 }],
});
const loaded = sceneFromFile(scene, 'test', folder, 'joins', new Map());

/** ffmpeg processes this test's process started that are still running. */
function ffmpegChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-a'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /ffmpeg/.test(line));
  } catch {
    return [];
  }
}

describe('joining the outputs of a video', () => {
  it('when one output fails to join, the others are stopped: no ffmpeg left running, no file or scratch left behind', async () => {
    const local = createLocalBackend({ workers: 1 });
    // The GIF's pieces vanish before the join, while the MP4's are there to be joined.
    const backend: FrameBackend = {
      ...local,
      description: local.description,
      itemConcurrency: local.itemConcurrency,
      pieceWindow: local.pieceWindow,
      encodingSettings: (...args) => local.encodingSettings(...args),
      activeWorkers: () => local.activeWorkers(),
      picture: (...args) => local.picture(...args),
      close: () => local.close(),
      async encodePiece(request, context) {
        const piece = await local.encodePiece(request, context);
        rmSync(piece.files.gif!, { force: true });
        return piece;
      },
    };
    const out = join(folder, 'fail');
    try {
      await expect(renderVideo(loaded, { outStem: join(out, 'joins'), formats: ['gif', 'mp4'], backend, pieces: [{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 20, end: 30 }] })).rejects.toThrow(/joins\.gif/);
      expect(ffmpegChildren()).toEqual([]);
      // Whatever was still running has had time to write, were it left running.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
