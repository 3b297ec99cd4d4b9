import type { Command } from 'commander';
import { extname, join } from 'node:path';
import { describeFormats, LIMITS, type Format } from '../../scene/index.js';
import { outputFormats, outputPath } from '../../encode/formats/index.js';
import { greyGooWarning, noiseWarning } from '../../inspect/index.js';
import { createRenderPool } from '../../render/pool.js';
import { renderVideo } from '../../render/video.js';
import { addRedisFlag, addStoreFlag, clusterBackend, type ClusterFlags } from '../cluster-flags.js';
import { interruptible } from '../interrupts.js';
import { parseFormats, parsePositive, parseSeed, parseSize, parseWholeNumber, parseWorkers } from '../options.js';
import { progressDisplay } from '../progress.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';
import { stemAvoidingSource } from '../from-source.js';

interface RenderFlags extends ClusterFlags {
  out?: string;
  size?: [number, number];
  fps?: number;
  duration?: number;
  format?: Format[];
  seed?: number;
  antialias?: number;
  gifMaxSize?: string;
  workers?: number;
  from?: string;
  quiet?: boolean;
}

/**
 * --out names a file (its extension is dropped: each format adds its own), a
 * stem, or a folder (ending in /), which gets the scene's name.
 */
function outStem(out: string | undefined, name: string): string {
  if (out === undefined) return join('output', name);
  if (/[/\\]$/.test(out)) return join(out, name);
  const ext = extname(out);
  return ['.mp4', '.gif', '.webm', '.png'].includes(ext.toLowerCase()) ? out.slice(0, -ext.length) : out;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function registerRender(program: Command): void {
  const command = program
    .command('render')
    .description('render a scene to looping video: output/<name>.mp4 and .gif (formats, size, fps and duration from the scene)')
    .argument('[scene]', 'scene file (.yaml)')
    .option('--out <path>', 'output path without extension, or with one (output/<name> by default)')
    .option('--size <WxH>', 'frame size, e.g. 1920x1080', parseSize)
    .option('--fps <n>', 'frames per second', parsePositive(LIMITS.fps))
    .option('--duration <seconds>', 'length in seconds', parsePositive(LIMITS.duration))
    .option('--format <list>', `comma-separated: ${describeFormats()}`, parseFormats)
    .option('--seed <n>', 'network seed (keyframe seeds move by the same amount)', parseSeed)
    .option('--antialias <n>', 'samples per pixel side: n×n per pixel, averaged (1–8; output.antialias)', parseWholeNumber(1, LIMITS.antialias))
    .option('--gif-max-size <size>', 'make the GIF fit this size, e.g. 5MB: its fps, size and colours are chosen to fit')
    .option('--workers <n>', 'worker threads (default: one per core)', parseWorkers)
    .option('--from <file>', `re-render the scene stored in an earlier output (${outputFormats().flatMap((f) => f.extensions).join(', ')})`)
    .option('-q, --quiet', 'print nothing but errors');
  addRedisFlag(command, 'render on a cluster: queue its pieces for `cppn-motion worker` processes at this Redis URL');
  addStoreFlag(command).action(async (scenePath: string | undefined, flags: RenderFlags) => {
      const report = reporter(flags.quiet);
      const loaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, fps: flags.fps, duration: flags.duration, formats: flags.format, seed: flags.seed, antialias: flags.antialias, gifMaxBytes: flags.gifMaxSize }, report);
      const { model } = loaded;
      if (loaded.motionWarning) report.warn(loaded.motionWarning);
      const name = model.name;
      const formats = loaded.scene.output.formats;
      const backend = await clusterBackend(flags, report, flags.workers);
      // This machine's threads start now (about a third of a second), while this
      // thread runs the checks below (about a fifth): neither waits for the other.
      const pool = backend ? undefined : createRenderPool(flags.workers);
      const progress = progressDisplay(`rendering ${name}`, Boolean(flags.quiet), process.stderr, { workers: backend !== undefined });
      try {
        // Several moments: a video that passes through one flat frame is not grey goo.
        const duration = loaded.scene.output.duration;
        const goo = greyGooWarning(loaded, { at: [0, duration / 4, duration / 2, (3 * duration) / 4] });
        if (goo) report.warn(goo);
        const grain = noiseWarning(loaded, { at: [0, duration / 4, duration / 2, (3 * duration) / 4] });
        if (grain) report.warn(grain);
        report.info(`${name}: ${model.width}x${model.height}, ${model.timeline.frameCount} frames at ${loaded.scene.output.fps} fps → ${loaded.scene.output.formats.join(', ')}`);
        const result = await interruptible((signal) =>
          renderVideo(loaded, {
            // --from without --out never writes over its source.
            outStem: flags.out === undefined ? stemAvoidingSource(outStem(undefined, name), flags.from, (stem) => formats.map((f) => outputPath(stem, f)), [model.width, model.height]) : outStem(flags.out, name),
            pool,
            backend,
            signal,
            onProgress: (p) => progress.update(p),
            onFinishing: () => {
              progress.stop();
              // The pieces are joined into the outputs, and each output is read back before it is committed.
              report.info('finishing: joining and checking the outputs…');
            },
          }),
        );
        progress.stop();
        if (backend && backend.reused > 0) report.info(`reused ${backend.reused} piece${backend.reused === 1 ? '' : 's'} finished by an earlier run`);
        for (const output of result.outputs) report.info(`wrote ${output.path}${output.note ? ` (${output.note})` : ''}`);
        // Worker time is measured where the frames are rendered: on a cluster, in the workers' logs.
        const workerTime = backend ? '' : `rendering ${formatSeconds(result.renderMs)} of worker time, `;
        report.info(
          `${result.frames} frames in ${formatSeconds(result.wallMs)} (${(result.frames / (result.wallMs / 1000)).toFixed(1)} fps); ` +
            `${workerTime}${result.pieces} piece${result.pieces === 1 ? '' : 's'}, joined in ${formatSeconds(result.finishMs)}`,
        );
      } finally {
        progress.stop();
        await backend?.close();
        await pool?.destroy();
      }
    });
}
