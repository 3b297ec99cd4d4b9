/**
 * An encoder that is one ffmpeg process reading frames on stdin and writing a
 * temporary file, renamed into place when ffmpeg finishes cleanly.
 */
import { PendingOutput, type OutputCheck } from './atomic-output.js';
import { fileSystemError, UserError } from '../errors.js';
import type { Encoder } from './encoder.js';
import { FfmpegProcess } from './ffmpeg.js';

export class StreamEncoder implements Encoder {
  private readonly output: PendingOutput;
  private readonly ffmpeg: FfmpegProcess;

  /**
   * `args(tempPath)` gives ffmpeg's arguments writing to the temporary path (a
   * folder when `folder`); `verify` says what makes the output complete.
   */
  constructor(
    readonly format: string,
    readonly path: string,
    args: (tempPath: string, output: PendingOutput) => string[],
    options: { folder?: boolean; verify?: OutputCheck } = {},
  ) {
    this.output = new PendingOutput(path, options);
    try {
      this.ffmpeg = new FfmpegProcess(args(this.output.tempPath, this.output), `${format} ${path}`);
    } catch (error) {
      this.output.discard();
      throw error instanceof UserError ? new UserError(error.message.replace(this.output.tempPath, path), error.hint) : (fileSystemError(path, error) ?? error);
    }
  }

  writeFrame(rgba: Uint8Array): Promise<void> {
    return this.ffmpeg.write(rgba);
  }

  async finish(): Promise<void> {
    try {
      await this.ffmpeg.end();
    } catch (error) {
      this.output.discard();
      throw error;
    }
    await this.output.verify();
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    await this.ffmpeg.kill();
    this.output.discard();
  }
}
