/**
 * The output formats: MP4 (H.264), WebM (VP9), GIF (two passes, bounded
 * memory) and a folder of PNG frames. Each is a small factory of an Encoder.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Format } from '../scene/index.js';
import { fileSystemError } from '../errors.js';
import { makeOutputFolder, PendingOutput } from './atomic-output.js';
import { pngFramesCheck, videoFrameCheck } from './output-checks.js';
import { rawInput, type EncodeJob, type Encoder } from './encoder.js';
import { FfmpegProcess } from './ffmpeg.js';
import PQueue from 'p-queue';
import { assembleGif } from './gif-file.js';
import { StreamEncoder } from './stream-encoder.js';
import { packSceneComment } from './scene-comment.js';

/**
 * The scene goes in the container's comment tag. ffmpeg takes it as one
 * argument, which Linux caps at 128 KiB (spawn E2BIG), and this ffmpeg's
 * metadata-file reader cuts lines at 1 KiB: a large scene is stored
 * compressed (see metadata.ts).
 */
function metadataArgs(job: EncodeJob): string[] {
  return job.metadata === undefined ? [] : ['-metadata', `comment=${packSceneComment(job.metadata, job.path)}`];
}

/** H.264 in yuv420p needs even sides: odd ones lose their last row or column (the GIF keeps them). */
export function mp4Size(width: number, height: number): [number, number] {
  return [Math.max(2, width - (width % 2)), Math.max(2, height - (height % 2))];
}

function mp4Encoder(job: EncodeJob): Encoder {
  const [w, h] = mp4Size(job.width, job.height);
  const crop = w !== job.width || h !== job.height ? ['-vf', `crop=${w}:${h}:0:0`] : [];
  return new StreamEncoder('mp4', job.path, (temp) => [
    ...rawInput(job),
    ...crop,
    '-c:v', 'libx264',
    '-preset', job.output.mp4.preset,
    '-crf', String(job.output.mp4.crf),
    '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart',
    ...metadataArgs(job),
    '-f', 'mp4',
    '-y', temp,
  ], { verify: videoFrameCheck(job.frameCount) });
}

function webmEncoder(job: EncodeJob): Encoder {
  return new StreamEncoder('webm', job.path, (temp) => [
    ...rawInput(job),
    '-c:v', 'libvpx-vp9',
    '-crf', String(job.output.webm.crf),
    '-b:v', '0',
    '-deadline', 'good',
    '-cpu-used', '4',
    '-row-mt', '1',
    '-pix_fmt', 'yuv420p',
    ...metadataArgs(job),
    '-f', 'webm',
    '-y', temp,
  ], { verify: videoFrameCheck(job.frameCount) });
}

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

/** A folder of numbered PNG frames (frame-00000.png …), moved into place when complete. */
function pngFramesEncoder(job: EncodeJob): Encoder {
  return new StreamEncoder('png', job.path, (temp) => {
    // The image2 muxer writes into the folder; it must exist before ffmpeg starts.
    makeOutputFolder(temp);
    return [...rawInput(job), '-f', 'image2', '-start_number', '0', '-c:v', 'png', join(temp, 'frame-%05d.png')];
  }, { folder: true, verify: pngFramesCheck(job.frameCount) });
}

/** The output path of each format, given the output stem (folder + name). */
export function outputPath(stem: string, format: Format): string {
  return format === 'png' ? `${stem}-frames` : `${stem}.${format}`;
}

export function createEncoder(format: Format, job: EncodeJob): Encoder {
  switch (format) {
    case 'mp4':
      return mp4Encoder(job);
    case 'webm':
      return webmEncoder(job);
    case 'gif':
      return new GifEncoder(job);
    case 'png':
      return pngFramesEncoder(job);
  }
}
