/**
 * An output written frame by frame in one piece, joined when the frames end:
 * for pictures that are not a scene's video (animated contact sheets, the
 * formats benchmark). A scene's video is coded in pieces by the render.
 */
import { extname } from 'node:path';
import type { Format } from '../../scene/index.js';
import type { EncodeJob, Encoder, EncodingSettings, PieceEncoder } from '../encoder.js';
import { JoinedOutput } from '../joined-output.js';
import { createPieceEncoder, decideEncoding, framesToDecide, outputFormat } from './index.js';
import type { Text } from '../../errors.js';

class WholeEncoder implements Encoder {
  private readonly output: JoinedOutput;
  private readonly piecePath: string;
  private piece: PieceEncoder | undefined;
  private settings: EncodingSettings | undefined;
  /** The first frames, kept while the settings are decided from them (a GIF's size budget). */
  private sample: Uint8Array[] = [];
  private readonly sampleSize: number;
  private index = 0;

  constructor(
    readonly format: Format,
    private readonly job: EncodeJob,
  ) {
    const description = outputFormat(format);
    this.output = new JoinedOutput(description, job);
    this.piecePath = description.folder ? this.output.tempPath : this.output.scratch(`piece${extname(description.pieceName)}`);
    this.sampleSize = framesToDecide([format], job);
  }

  get path(): string {
    return this.job.path;
  }

  summary(): Text | undefined {
    return this.output.note;
  }

  private async open(): Promise<PieceEncoder> {
    this.settings = await decideEncoding([this.format], this.job, this.sample, 1);
    const piece = createPieceEncoder(this.format, { ...this.job, path: this.piecePath, range: { start: 0, end: this.job.frameCount }, settings: this.settings, label: this.job.path });
    this.piece = piece;
    const sample = this.sample;
    this.sample = [];
    for (const [index, frame] of sample.entries()) await piece.writeFrame(frame, index);
    return piece;
  }

  async writeFrame(rgba: Uint8Array): Promise<void> {
    const index = this.index++;
    if (!this.piece && this.sample.length < this.sampleSize) {
      this.sample.push(rgba.slice());
      if (this.sample.length === this.sampleSize) await this.open();
      return;
    }
    await (this.piece ?? (await this.open())).writeFrame(rgba, index);
  }

  async finish(): Promise<void> {
    try {
      const piece = this.piece ?? (await this.open());
      await piece.finish();
      await this.output.join([this.piecePath], this.settings!, [{ start: 0, end: this.job.frameCount }]);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    await this.piece?.abort();
    this.output.discard();
  }
}

/** An encoder of a whole output in one piece (see WholeEncoder). */
export function createEncoder(format: Format, job: EncodeJob): Encoder {
  return new WholeEncoder(format, job);
}
