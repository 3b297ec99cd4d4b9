/**
 * An encoder that is one ffmpeg process reading frames on stdin and writing a
 * temporary file, renamed into place when ffmpeg finishes cleanly and the
 * output passes its format's check.
 */
import { PendingOutput, type OutputCheck } from './atomic-output.js';
import { fileSystemError, UserError } from '../errors.js';
import type { Encoder } from './encoder.js';
import { FfmpegProcess } from './ffmpeg.js';

export interface StreamEncoderOptions {
  /** The output is a folder (PNG frames). */
  folder?: boolean;
  /** Adds what ffmpeg cannot write (metadata) to the finished temporary output. */
  complete?: (tempPath: string) => void;
  /** What makes the output complete, checked before it may be committed. */
  verify?: OutputCheck;
  /** For a folder output: whether an existing folder at the path may be replaced (see PendingOutput). */
  replaces?: (existing: string) => boolean;
}

export class StreamEncoder implements Encoder {
  private readonly output: PendingOutput;
  private readonly ffmpeg: FfmpegProcess;

  /**
   * `args(tempPath, output)` gives ffmpeg's arguments writing to the temporary
   * path (a folder when `folder`); scratch files it needs come from `output`.
   */
  constructor(
    readonly format: string,
    readonly path: string,
    args: (tempPath: string, output: PendingOutput) => string[],
    private readonly options: StreamEncoderOptions = {},
  ) {
    this.output = new PendingOutput(path, { folder: options.folder, verify: options.verify, replaces: options.replaces });
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
      this.options.complete?.(this.output.tempPath);
    } catch (error) {
      this.output.discard();
      throw fileSystemError(this.path, error) ?? error;
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
