import type { Command } from 'commander';
import { extname, join } from 'node:path';
import { isStillScene, representativeTime, type Format, type LoadedScene } from '../../scene/index.js';
import { formatOfFile, outputPath } from '../../encode/formats/index.js';
import { greyGooWarning, noiseWarning } from '../../inspect/index.js';
import { createRenderPool } from '../../render/pool.js';
import { clusterPixelBackend, createFrameBackend, decideBackend, describeChoice, withRenderedBy, type BackendRequest, type ChosenBackend } from '../../render/backend-choice.js';
import { renderVideo } from '../../render/video.js';
import { clusterBackend, type ClusterFlags } from '../cluster-flags.js';
import { interruptible } from '../interrupts.js';
import { addOptions, cliSay } from '../options.js';
import { option, UserError, words, type Words } from '../../errors.js';
import { progressDisplay } from '../progress.js';
import { reporter, type Reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';
import { stemAvoidingSource } from '../from-source.js';
import { refuseIdleFlags, storeNeedsRedis } from '../idle-flags.js';
import { refuseReplacingInputs } from '../inputs.js';
import { namesFolder } from '../output-paths.js';
import { writeStillFile } from '../still-file.js';

interface RenderFlags extends ClusterFlags {
  out?: string;
  size?: [number, number];
  fps?: number;
  duration?: number;
  formats?: Format[];
  seed?: number;
  antialias?: number;
  gifMaxBytes?: string;
  workers?: number;
  from?: string;
  backend: BackendRequest;
  quiet?: boolean;
}

/**
 * --out names a stem, a folder (ending in /), which gets the scene's name, or
 * a file of one of the formats the render writes: its extension is dropped,
 * each format adds its own. An extension the format registry knows but this
 * render does not write (--out x.webp for a scene of mp4 and gif) is refused
 * rather than guessed at; any other extension is part of the stem
 * (drift.v2 → drift.v2.mp4).
 */
function outStem(out: string | undefined, name: string, formats: readonly Format[]): string {
  if (out === undefined) return join('output', name);
  if (namesFolder(out)) return join(out, name);
  const format = formatOfFile(out);
  if (!format) return out;
  if (!formats.includes(format.name)) {
    throw new UserError(
      words`${option('out')} ${out} names a ${format.name} file, but this render writes ${formats.join(', ')}`,
      words`add ${option('formats')} ${format.name} (or ${format.name} among the scene's output.formats), or give ${option('out')} without an extension`,
    );
  }
  return out.slice(0, -extname(out).length);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A scene marked `output.kind: still` is one picture: render writes it as a
 * PNG (at the moment `still` would show) rather than a video of identical
 * frames. The flags that shape a video have nothing to act on.
 */
async function renderStillScene(loaded: LoadedScene, flags: RenderFlags, report: Reporter): Promise<void> {
  const videoFlags = (['fps', 'duration', 'formats', 'gifMaxBytes'] as const).filter((key) => flags[key] !== undefined);
  if (videoFlags.length > 0) {
    const named: Words = videoFlags.flatMap((key, i) => [...(i > 0 ? [' and '] : []), option(key)]);
    throw new UserError(
      words`${loaded.origin} is a still (output.kind: still): render writes one PNG, so ${named} ${videoFlags.length === 1 ? 'has' : 'have'} nothing to act on`,
      'leave the flag out, or set output.kind: video in the scene (and give it something that moves) to render a video',
    );
  }
  if (flags.redis !== undefined) report.info('a still is one picture: it renders on this machine, not on the cluster');
  const name = loaded.model.name;
  const out =
    flags.out === undefined
      ? `${stemAvoidingSource(join('output', name), flags.from, (s) => [`${s}.png`], [loaded.model.width, loaded.model.height])}.png`
      : // --out is a stem here as for a video: the PNG adds its extension (an --out ending in .png keeps it).
        `${namesFolder(flags.out) ? join(flags.out, name) : flags.out.replace(/\.png$/i, '')}.png`;
  refuseReplacingInputs([out]);
  const { still, ms } = await writeStillFile(loaded, { at: representativeTime(loaded.scene), out, workers: flags.workers, backend: flags.backend, report });
  report.info(`wrote ${out} (${still.width}x${still.height}, ${ms} ms): ${name} is a still (output.kind: still), so one PNG rather than a video`);
}

export function registerRender(program: Command): void {
  const command = program
    .command('render')
    .description('render a scene to looping video: output/<name>.mp4 and .gif (formats, size, fps and duration from the scene); a scene marked output.kind: still gives output/<name>.png')
    .argument('[scene]', 'scene file (.yaml)');
  addOptions(command, ['out', 'size', 'fps', 'duration', 'formats', 'seed', 'antialias', 'gifMaxBytes', 'workers', 'from', 'quiet', 'backend', 'redis', 'store']).action(async (scenePath: string | undefined, flags: RenderFlags) => {
      const report = reporter(flags.quiet);
      refuseIdleFlags([storeNeedsRedis(flags)]);
      const request = flags.backend;
      const sceneLoaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, fps: flags.fps, duration: flags.duration, formats: flags.formats, seed: flags.seed, antialias: flags.antialias, gifMaxBytes: flags.gifMaxBytes }, report, { video: true });
      if (isStillScene(sceneLoaded.scene)) return renderStillScene(sceneLoaded, flags, report);
      const { model } = sceneLoaded;
      if (sceneLoaded.motionWarning) report.warn(sceneLoaded.motionWarning);
      const name = model.name;
      const formats = sceneLoaded.scene.output.formats;
      refuseIdleFlags([
        { option: 'gifMaxBytes', given: flags.gifMaxBytes !== undefined, idle: !formats.includes('gif'), because: `when no GIF is written (this render writes ${formats.join(', ')})`, hint: words`add gif to ${option('formats')}, or leave ${option('gifMaxBytes')} out` },
      ]);
      // --from without --out never writes over its source.
      const stem = flags.out === undefined ? stemAvoidingSource(outStem(undefined, name, formats), flags.from, (candidate) => formats.map((f) => outputPath(candidate, f)), [model.width, model.height]) : outStem(flags.out, name, formats);
      refuseReplacingInputs(formats.map((f) => outputPath(stem, f)));
      const cluster = await clusterBackend(flags, report, clusterPixelBackend(request), flags.workers);
      // Where the frames go is looked for now (a GPU probe), while this machine's
      // threads start (slowly) and this thread runs the checks below.
      const decision = cluster ? undefined : decideBackend(request);
      decision?.catch(() => undefined);
      let pool = cluster || request === 'gpu' ? undefined : createRenderPool(flags.workers);
      let chosen: ChosenBackend | undefined;
      const progress = progressDisplay(`rendering ${name}`, Boolean(flags.quiet), process.stderr, { workers: cluster !== undefined });
      try {
        // Several moments: a video that passes through one flat frame is not grey goo.
        const duration = sceneLoaded.scene.output.duration;
        const goo = greyGooWarning(sceneLoaded, { at: [0, duration / 4, duration / 2, (3 * duration) / 4] });
        if (goo) report.warn(goo);
        const grain = noiseWarning(sceneLoaded, { at: [0, duration / 4, duration / 2, (3 * duration) / 4] });
        if (grain) report.warn(grain);
        if (decision) {
          chosen = await createFrameBackend(await decision, { workers: flags.workers, pool });
          // The GPU renders: the threads started in case it would not are not needed.
          if (chosen.kind === 'gpu') {
            await pool?.destroy();
            pool = undefined;
          }
        }
        const backend = cluster ?? chosen!.backend;
        // The outputs say what rendered them (a cluster: which backend its workers rendered with).
        const loaded = withRenderedBy(sceneLoaded, cluster ? cluster.renderedBy : backend.renderedBy);
        const where = chosen ? ` ${describeChoice(chosen)}` : '';
        report.info(`${name}: ${model.width}x${model.height}, ${model.timeline.frameCount} frames at ${loaded.scene.output.fps} fps → ${loaded.scene.output.formats.join(', ')}${where}`);
        const result = await interruptible((signal) =>
          renderVideo(loaded, {
            outStem: stem,
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
        if (cluster && cluster.reused > 0) report.info(`reused ${cluster.reused} piece${cluster.reused === 1 ? '' : 's'} finished by an earlier run`);
        for (const output of result.outputs) report.info(`wrote ${output.path}${output.note ? ` (${cliSay(output.note)})` : ''}`);
        // Worker time is measured where the frames are rendered: on a cluster, in the workers' logs.
        const workerTime = cluster ? '' : chosen?.kind === 'gpu' ? `on the GPU (${chosen.adapter?.name}), ` : `rendering ${formatSeconds(result.renderMs)} of worker time, `;
        report.info(
          `${result.frames} frames in ${formatSeconds(result.wallMs)} (${(result.frames / (result.wallMs / 1000)).toFixed(1)} fps); ` +
            `${workerTime}${result.pieces} piece${result.pieces === 1 ? '' : 's'}, joined in ${formatSeconds(result.finishMs)}`,
        );
      } finally {
        progress.stop();
        await cluster?.close();
        await chosen?.backend.close();
        await pool?.destroy();
      }
    });
}
