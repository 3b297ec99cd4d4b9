/**
 * GIF: a palette made from the frames (palettegen), frames mapped onto it
 * (paletteuse), loops forever, exact frame delays and the scene in a comment
 * extension (gif-file.ts).
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { fileSystemError } from '../../errors.js';
import { PendingOutput } from '../atomic-output.js';
import { videoFrameCheck } from '../output-checks.js';
import { rawInput, type EncodeJob, type Encoder } from '../encoder.js';
import { FfmpegProcess } from '../ffmpeg.js';
import { assembleGif, readGifComment } from '../gif-file.js';
import type { OutputFormat } from './output-format.js';

const QUANTISE = 'bitand(min(val+2\\,255)\\,252)';

/**
 * GIF delays are hundredths of a second, and browsers play delays under 2/100 s
 * as 10/100 s: above 50 fps a GIF would crawl. A faster video's GIF keeps every
 * k-th frame, the smallest k that brings it to 50 fps or below.
 */
export function defaultGifFps(fps: number): number {
  let k = 1;
  while (fps / k > 50) k++;
  return fps / k;
}

/** Frames per pass-2 segment: paletteuse's colour cache grows with the colours it meets, so segments bound it. */
const GIF_SEGMENT_FRAMES = 240;

/**
 * GIF in two passes so that memory does not grow with the video: while frames
 * stream in, one ffmpeg gathers the palette statistics (palettegen) and keeps a
 * lossless copy of the frames on disk (Ut Video, in segments); at the end the
 * segments are mapped onto the palette in parallel (paletteuse, dithered) and
 * joined. (A one-pass palettegen → paletteuse graph would hold every frame in
 * memory until the palette exists.)
 */
class GifEncoder implements Encoder {
  readonly format = 'gif';
  private readonly output: PendingOutput;
  private readonly scratch: string;
  private readonly firstPass: FfmpegProcess;
  private readonly secondPasses = new Set<FfmpegProcess>();
  private readonly gifFps: number;
  private readonly gifFrames: number;
  private aborted = false;

  constructor(private readonly job: EncodeJob) {
    const gif = job.output.gif;
    this.gifFps = gif.fps ?? defaultGifFps(job.fps);
    this.gifFrames = Math.max(1, Math.round((job.frameCount * this.gifFps) / job.fps));
    // ffmpeg's fps filter may round the count of a resampled GIF by one.
    this.output = new PendingOutput(job.path, { verify: videoFrameCheck(this.gifFrames, this.gifFps === job.fps ? 0 : 1) });
    // Temporary files live beside the output (same disk) and are removed on any exit.
    this.scratch = this.output.scratchFolder('work');
    const prepare = [
      // 6 bits per channel (rounded) before anything counts colours: palettegen's
      // histogram grows with the number of distinct colours, which would
      // otherwise grow with the video's length. 64 levels per channel are finer
      // than a 256-colour palette can resolve anyway.
      `lutrgb=r='${QUANTISE}':g='${QUANTISE}':b='${QUANTISE}'`,
      ...(this.gifFps !== job.fps ? [`fps=${this.gifFps}`] : []),
      ...(gif.size !== undefined ? [`scale=${typeof gif.size === 'string' ? gif.size.replace('x', ':') : gif.size.join(':')}:flags=lanczos`] : []),
    ];
    const graph = `[0:v]${prepare.join(',')},split[a][b];[a]palettegen=max_colors=${gif.colors}:stats_mode=full[p]`;
    const gifFrames = this.gifFrames;
    const segment = Math.max(1, Math.min(GIF_SEGMENT_FRAMES, Math.ceil(gifFrames / availableParallelism())));
    const cuts = Array.from({ length: Math.ceil(gifFrames / segment) - 1 }, (_, i) => (i + 1) * segment);
    this.firstPass = new FfmpegProcess(
      [
        ...rawInput(job),
        '-filter_complex', graph,
        '-map', '[p]', '-y', join(this.scratch, 'palette.png'),
        // Ut Video: lossless RGB at a third of FFV1's CPU cost, for files of similar size.
        '-map', '[b]', '-pix_fmt', 'gbrp', '-c:v', 'utvideo',
        ...(cuts.length > 0 ? ['-f', 'segment', '-segment_format', 'matroska', '-segment_frames', cuts.join(','), '-reset_timestamps', '1'] : ['-f', 'matroska']),
        '-y', join(this.scratch, cuts.length > 0 ? 'frames-%04d.mkv' : 'frames-0000.mkv'),
      ],
      `gif ${job.path}`,
    );
  }

  get path(): string {
    return this.job.path;
  }

  writeFrame(rgba: Uint8Array): Promise<void> {
    return this.firstPass.write(rgba);
  }

  async finish(): Promise<void> {
    try {
      await this.firstPass.end();
      const gif = this.job.output.gif;
      const dither = gif.dither === 'bayer' ? `bayer:bayer_scale=${gif.bayerScale}` : gif.dither;
      const segments = readdirSync(this.scratch).filter((f) => /^frames-\d+\.mkv$/.test(f)).sort();
      const queue = new PQueue({ concurrency: availableParallelism() });
      const parts = await Promise.all(
        segments.map((segment, i) =>
          queue.add(async () => {
            if (this.aborted) throw new Error('GIF encoding was aborted');
            const part = join(this.scratch, `part-${String(i).padStart(4, '0')}.gif`);
            const pass = new FfmpegProcess(
              ['-i', join(this.scratch, segment), '-i', join(this.scratch, 'palette.png'), '-lavfi', `[0:v][1:v]paletteuse=dither=${dither}`, '-loop', '0', '-f', 'gif', '-y', part],
              `gif ${this.job.path}`,
            );
            this.secondPasses.add(pass);
            try {
              await pass.end();
            } finally {
              this.secondPasses.delete(pass);
            }
            return part;
          }),
        ),
      );
      // An abort may have come while the parts were made; then nothing may be written.
      if (this.aborted) throw new Error('GIF encoding was aborted');
      assembleGif(parts, this.output.tempPath, { comment: this.job.metadata, fps: this.gifFps });
      this.output.removeScratch(this.scratch);
      await this.output.verify();
    } catch (error) {
      this.output.discard();
      throw fileSystemError(this.job.path, error) ?? error;
    } finally {
      this.output.removeScratch(this.scratch);
    }
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    this.aborted = true;
    await Promise.all([this.firstPass.kill(), ...[...this.secondPasses].map((p) => p.kill())]);
    this.output.discard();
    this.output.removeScratch(this.scratch);
  }
}


export const gif: OutputFormat = {
  name: 'gif',
  extensions: ['.gif'],
  outputPath: (stem) => `${stem}.gif`,
  createEncoder: (job) => new GifEncoder(job),
  readMetadata: async (path) => readGifComment(path),
  // Ut Video: the lossless scratch copy between the two passes.
  needs: { encoders: ['gif', 'utvideo'], filters: ['palettegen', 'paletteuse', 'lutrgb', 'scale', 'fps'] },
};
