import type { Command } from 'commander';
import { extname, join } from 'node:path';
import { describeFormats, LIMITS, type Format } from '../../scene/index.js';
import { outputFormats } from '../../encode/formats/index.js';
import { greyGooWarning } from '../../inspect/index.js';
import { renderVideo } from '../../render/video.js';
import { interruptible } from '../interrupts.js';
import { parseFormats, parsePositive, parseSeed, parseSize, parseWholeNumber } from '../options.js';
import { progressDisplay } from '../progress.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface RenderFlags {
  out?: string;
  size?: [number, number];
  fps?: number;
  duration?: number;
  format?: Format[];
  seed?: number;
  gifMaxSize?: string;
  workers?: number;
  from?: string;
  quiet?: boolean;
}

/** --out names a file (its extension is dropped: each format adds its own) or a stem. */
function outStem(out: string | undefined, name: string): string {
  if (out === undefined) return join('output', name);
  const ext = extname(out);
  return ['.mp4', '.gif', '.webm', '.png'].includes(ext.toLowerCase()) ? out.slice(0, -ext.length) : out;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render a scene to looping video: output/<name>.mp4 and .gif (formats, size, fps and duration from the scene)')
    .argument('[scene]', 'scene file (.yaml)')
    .option('--out <path>', 'output path without extension, or with one (output/<name> by default)')
    .option('--size <WxH>', 'frame size, e.g. 1920x1080', parseSize)
    .option('--fps <n>', 'frames per second', parsePositive(LIMITS.fps))
    .option('--duration <seconds>', 'length in seconds', parsePositive(LIMITS.duration))
    .option('--format <list>', `comma-separated: ${describeFormats()}`, parseFormats)
    .option('--seed <n>', 'network seed (keyframe seeds move by the same amount)', parseSeed)
    .option('--gif-max-size <size>', 'make the GIF fit this size, e.g. 5MB: its fps, size and colours are chosen to fit')
    .option('--workers <n>', 'worker threads (default: one per core)', parseWholeNumber(1, 256))
    .option('--from <file>', `re-render the scene stored in an earlier output (${outputFormats().flatMap((f) => f.extensions).join(', ')})`)
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (scenePath: string | undefined, flags: RenderFlags) => {
      const report = reporter(flags.quiet);
      const loaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, fps: flags.fps, duration: flags.duration, formats: flags.format, seed: flags.seed, gifMaxBytes: flags.gifMaxSize }, report);
      const { model } = loaded;
      // Several moments: a video that passes through one flat frame is not grey goo.
      const duration = loaded.scene.output.duration;
      const goo = greyGooWarning(loaded, { at: [0, duration / 4, duration / 2, (3 * duration) / 4] });
      if (goo) report.warn(goo);
      const name = model.name;
      const progress = progressDisplay(`rendering ${name}`, Boolean(flags.quiet));
      report.info(`${name}: ${model.width}x${model.height}, ${model.timeline.frameCount} frames at ${loaded.scene.output.fps} fps → ${loaded.scene.output.formats.join(', ')}`);
      try {
        const result = await interruptible((signal) =>
          renderVideo(loaded, {
            outStem: outStem(flags.out, name),
            workers: flags.workers,
            signal,
            onProgress: (p) => progress.update(p),
            onFinishing: () => progress.stop(),
          }),
        );
        progress.stop();
        for (const output of result.outputs) report.info(`wrote ${output.path}${output.note ? ` (${output.note})` : ''}`);
        report.info(
          `${result.frames} frames in ${formatSeconds(result.wallMs)} (${(result.frames / (result.wallMs / 1000)).toFixed(1)} fps); ` +
            `rendering ${formatSeconds(result.renderMs)} of worker time, waiting on encoders ${formatSeconds(result.encodeWaitMs)}, finishing ${formatSeconds(result.finishMs)}`,
        );
      } finally {
        progress.stop();
      }
    });
}
