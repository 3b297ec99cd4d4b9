/**
 * A piece coded by one ffmpeg process reading the piece's frames on stdin
 * and writing the piece file (or folder). Pieces are scratch work: they are
 * joined into an output, which alone is checked and committed.
 */
import { rmSync } from 'node:fs';
import { fileSystemError } from '../errors.js';
import type { PieceEncoder, PieceJob } from './encoder.js';
import { FfmpegProcess } from './ffmpeg.js';

/** How a piece's failures name it: the output's format and name, and the frames. */
export function pieceLabel(format: string, job: PieceJob): string {
  return `${format} ${job.label} (frames ${job.range.start}–${job.range.end - 1})`;
}

export class FfmpegPiece implements PieceEncoder {
  private readonly ffmpeg: FfmpegProcess;

  /** `discard` removes what a failed or stopped piece wrote (by default the file or folder at `path`). */
  constructor(
    private readonly path: string,
    label: string,
    args: string[],
    private readonly discard: () => void = () => rmSync(path, { recursive: true, force: true }),
  ) {
    this.ffmpeg = new FfmpegProcess(args, label);
  }

  writeFrame(rgba: Uint8Array): Promise<void> {
    return this.ffmpeg.write(rgba);
  }

  async finish(): Promise<void> {
    try {
      await this.ffmpeg.end();
    } catch (error) {
      this.discard();
      throw fileSystemError(this.path, error) ?? error;
    }
  }

  async abort(): Promise<void> {
    await this.ffmpeg.kill();
    this.discard();
  }
}
