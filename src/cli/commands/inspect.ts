import type { Command } from 'commander';
import { writeFileAtomic } from '../../files/index.js';
import { UserError } from '../../errors.js';
import { formatInspection, formatMotion, inspectionJson, inspectScene, measureMotion, renderMotionChart, renderNeuronMaps, withOtherPacing } from '../../inspect/index.js';
import { parseNonNegative, parseSeed, parseWholeNumber } from '../options.js';
import { refuseIdleFlags } from '../idle-flags.js';
import { refuseReplacingInputs } from '../inputs.js';
import { namesFolder, outputFile, parseOutPath } from '../output-paths.js';
import { printData, reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface InspectFlags {
  at?: number;
  json?: boolean;
  maps?: string | boolean;
  motion?: string | boolean;
  tile?: number;
  size?: number;
  seed?: number;
  from?: string;
  out?: string;
  quiet?: boolean;
}

/** Where --maps or --motion writes its picture: the file given to it, --out, or output/<name>-<kind>.png. */
function picturePath(flags: InspectFlags, kind: 'maps' | 'motion', name: string): string {
  const given = flags[kind];
  if (typeof given === 'string' && flags.out !== undefined) throw new UserError(`--${kind} ${given} and --out ${flags.out} both name the picture; give one`);
  return outputFile(typeof given === 'string' ? given : flags.out, `${name}-${kind}.png`, '.png', typeof given === 'string' ? `--${kind}` : '--out', kind === 'maps' ? 'the maps' : 'the chart');
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("look inside a scene's network: per-layer statistics for one frame, a grey-goo check, and with --maps what every unit paints")
    .argument('[scene]', 'scene file (.yaml)')
    .option('--at <seconds>', 'time in the scene (default 0)', parseNonNegative)
    .option('--json', 'print the statistics as JSON')
    .option('--maps [file.png]', "draw every unit's image, one row per layer (default file: output/<name>-maps.png)")
    .option('--motion [file.png]', 'chart how much the picture changes from frame to frame over the whole video, naming spikes and stalls (default file: output/<name>-motion.png)')
    .option('--tile <px>', 'tile size for --maps (default 64)', parseWholeNumber(8, 512))
    .option('--size <px>', 'longest side the statistics are computed at (default: 256, less for wide networks)', parseWholeNumber(8, 4096))
    .option('--seed <n>', 'network seed (keyframe seeds move by the same amount)', parseSeed)
    .option('--from <file.png>', 'inspect the scene stored in an earlier output')
    .option('--out <file.png>', 'where --maps or --motion writes its picture: a .png file, or a folder ending in / (default: output/<name>-maps.png or -motion.png)', parseOutPath)
    .option('-q, --quiet', 'print nothing but the statistics, warnings and errors')
    .action(async (scenePath: string | undefined, flags: InspectFlags) => {
      const report = reporter(flags.quiet);
      // --maps takes an optional file name, so `inspect --maps scene.yaml` would read the scene as one.
      if (typeof flags.maps === 'string' && !flags.maps.toLowerCase().endsWith('.png') && !namesFolder(flags.maps)) {
        throw new UserError(`--maps ${flags.maps}: the maps are written as a .png file`, 'put the scene first (inspect scene.yaml --maps), or name a .png file');
      }
      if (typeof flags.motion === 'string' && !flags.motion.toLowerCase().endsWith('.png') && !namesFolder(flags.motion)) {
        throw new UserError(`--motion ${flags.motion}: the chart is written as a .png file`, 'put the scene first (inspect scene.yaml --motion), or name a .png file');
      }
      const wantMaps = flags.maps !== undefined && flags.maps !== false;
      const wantMotion = flags.motion !== undefined && flags.motion !== false;
      const wholeVideo = { idle: wantMotion, because: 'with --motion, which measures every frame of the whole video at its own size', hint: 'leave it out, or inspect one moment without --motion' };
      refuseIdleFlags([
        { flag: '--out', given: flags.out !== undefined, idle: !wantMaps && !wantMotion, because: 'without --maps or --motion: the statistics print to the standard output', hint: 'add --maps or --motion for a picture, or send the statistics to a file with > file' },
        { flag: '--tile', given: flags.tile !== undefined, idle: !wantMaps, because: 'without --maps', hint: 'add --maps, or leave --tile out' },
        { flag: '--at', given: flags.at !== undefined, ...wholeVideo },
        { flag: '--size', given: flags.size !== undefined, ...wholeVideo },
      ]);
      const loaded = await sceneFromArguments(scenePath, flags.from, { seed: flags.seed }, report);
      const name = flags.seed !== undefined ? `${loaded.model.name}-seed-${flags.seed}` : loaded.model.name;
      if (wantMotion) {
        const out = picturePath(flags, 'motion', name);
        refuseReplacingInputs([out]);
        const motion = measureMotion(loaded);
        const other = measureMotion(withOtherPacing(loaded));
        process.stdout.write(flags.json ? `${JSON.stringify({ motion, other }, null, 2)}\n` : `${formatMotion(motion, other)}\n`);
        const chart = await renderMotionChart(motion, other);
        writeFileAtomic(out, chart.png);
        report.info(`wrote ${out} (${chart.width}x${chart.height})`);
        return;
      }
      const mapsOut = wantMaps ? picturePath(flags, 'maps', name) : undefined;
      if (mapsOut !== undefined) refuseReplacingInputs([mapsOut]);
      const inspection = inspectScene(loaded, { at: flags.at ?? 0, maxSide: flags.size });
      await printData(flags.json ? `${JSON.stringify(inspectionJson(inspection), null, 2)}\n` : `${formatInspection(inspection)}\n`);
      if (inspection.greyGoo) report.warn(inspection.greyGoo.message);
      if (inspection.noise) report.warn(inspection.noise.message);
      if (mapsOut !== undefined) {
        const out = mapsOut;
        const maps = renderNeuronMaps(loaded, { at: flags.at ?? 0, tile: flags.tile ?? 64 });
        writeFileAtomic(out, maps.png);
        report.info(`wrote ${out} (${maps.width}x${maps.height}, tiles of ${maps.tile[0]}x${maps.tile[1]})`);
      }
    });
}
