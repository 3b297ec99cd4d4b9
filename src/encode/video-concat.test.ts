import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removePendingOutputs } from '../files/index.js';
import { killAllFfmpeg } from './ffmpeg.js';
import { outputFormat } from './formats/index.js';
import { JoinedOutput } from './joined-output.js';

const folder = mkdtempSync(join(tmpdir(), 'concat-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('joining video pieces', () => {
  for (const format of ['mp4', 'webm'] as const) {
    it(`${format}: the list of pieces is a temporary of the output's, removed by an interrupt's clean-up while ffmpeg runs`, async () => {
      const here = join(folder, format);
      mkdirSync(here);
      const piece = join(here, `piece.${format}`);
      writeFileSync(piece, 'not a video');
      const job = { width: 16, height: 16, fps: 10, frameCount: 10, path: join(here, `joined.${format}`), options: {} as never };
      const output = new JoinedOutput(outputFormat(format), job);
      // The list is written, and ffmpeg started, before the join first waits.
      const joining = output.join([piece], {}, [{ start: 0, end: 10 }]);
      joining.catch(() => undefined);
      expect(readdirSync(here).some((name) => name.endsWith('.concat'))).toBe(true);
      // What a second Ctrl-C does just before the process exits.
      killAllFfmpeg();
      removePendingOutputs();
      expect(readdirSync(here).filter((name) => name !== `piece.${format}`)).toEqual([]);
      await expect(joining).rejects.toThrow();
      expect(existsSync(job.path)).toBe(false);
    });
  }
});
