/**
 * An encoder that is one ffmpeg process reading frames on stdin and writing a
 * temporary file, renamed into place when ffmpeg finishes cleanly.
 */
import { PendingOutput } from './atomic-output.js';
import type { Encoder } from './encoder.js';
import { FfmpegProcess } from './ffmpeg.js';

export class StreamEncoder implements Encoder {
  private readonly output: PendingOutput;
  private readonly ffmpeg: FfmpegProcess;

  /**
   * `args(tempPath)` gives ffmpeg's arguments writing to the temporary path (a
   * folder when `folder`); `complete(tempPath)` adds what ffmpeg cannot write
   * (metadata) before the output may be committed.
   */
  constructor(
    readonly format: string,
    readonly path: string,
    args: (tempPath: string) => string[],
    private readonly options: { folder?: boolean; complete?: (tempPath: string) => void } = {},
  ) {
    this.output = new PendingOutput(path, options.folder);
    this.ffmpeg = new FfmpegProcess(args(this.output.tempPath), `${format} ${path}`);
  }

  writeFrame(rgba: Uint8Array): Promise<void> {
    return this.ffmpeg.write(rgba);
  }

  async finish(): Promise<void> {
    try {
      await this.ffmpeg.end();
      this.options.complete?.(this.output.tempPath);
    } catch (error) {
      this.output.discard();
      throw error;
    }
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    await this.ffmpeg.kill();
    this.output.discard();
  }
}
