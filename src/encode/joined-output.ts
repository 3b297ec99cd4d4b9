/**
 * One output of a render, made by joining its pieces: written under a
 * temporary name, checked, and moved into place only by commit, which a
 * render calls for all its formats together once every one has succeeded.
 */
import { resolve } from 'node:path';
import { fileSystemError, OutputError, UserError, type Text } from '../errors.js';
import { PendingOutput, type OutputCheck } from '../files/index.js';
import type { EncodeJob, EncodingSettings, FrameRange, JoinJob } from './encoder.js';
import { FfmpegError } from './ffmpeg.js';
import type { OutputFormat } from './formats/output-format.js';

export class JoinedOutput {
  private readonly output: PendingOutput;
  private check: OutputCheck | undefined;
  /** What the format chose by itself, worth telling the user (known once joined). */
  note: Text | undefined;

  /** Prepares the output at job.path; a path or a scene that cannot make it fails now, before any work. */
  constructor(
    readonly format: OutputFormat,
    private readonly job: EncodeJob,
  ) {
    format.validate?.(job);
    this.output = new PendingOutput(job.path, { folder: format.folder, verify: (temp) => this.check?.(temp), replaces: format.replaces });
  }

  get path(): string {
    return this.job.path;
  }

  /** Where the output is written until it is committed. */
  get tempPath(): string {
    return this.output.tempPath;
  }

  /** A scratch path beside the output, removed with it. */
  scratch(suffix: string): string {
    return this.output.scratch(suffix);
  }

  /**
   * Joins the pieces (in the video's order, each holding frames ranges[k])
   * under the temporary name, and checks the result; `signal` stops it.
   */
  async join(pieces: string[], settings: EncodingSettings, ranges: FrameRange[], signal?: AbortSignal): Promise<void> {
    const job: JoinJob = { ...this.job, settings, ranges, signal, scratch: (suffix) => this.output.scratch(suffix) };
    this.check = this.format.check(job);
    try {
      this.note = await this.format.join(
        pieces.map((p) => resolve(p)),
        job,
        this.output.tempPath,
      );
    } catch (error) {
      this.output.discard();
      if (error instanceof UserError || error instanceof OutputError || error instanceof FfmpegError) throw error;
      throw fileSystemError(this.job.path, error) ?? new OutputError(`${this.job.path}: its pieces could not be joined (${(error as Error).message}); nothing was written`);
    }
    await this.output.verify();
  }

  commit(): void {
    this.output.commit();
  }

  /** Removes the temporary output and its scratch files; the final path is left as it was. */
  discard(): void {
    this.output.discard();
  }
}
