import type { Command } from 'commander';
import { writeFileAtomic } from '../../files/index.js';
import { option, UserError, words } from '../../errors.js';
import { formatInspection, formatMotion, inspectionJson, inspectScene, measureMotion, renderMotionChart, renderNeuronMaps, withOtherPacing } from '../../inspect/index.js';
import { addOptions } from '../options.js';
import { flagWord } from '../../scene/options/index.js';
import { refuseIdleFlags } from '../idle-flags.js';
import { refuseReplacingInputs } from '../inputs.js';
import { namesFolder, outputFile } from '../output-paths.js';
import { printData, reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface InspectFlags {
  at?: number;
  json?: boolean;
  maps?: string | boolean;
  motion?: string | boolean;
  tile?: number;
  maxSide?: number;
  seed?: number;
  from?: string;
  out?: string;
  quiet?: boolean;
}

/** Where --maps or --motion writes its picture: the file given to it, --out, or output/<name>-<kind>.png. */
function picturePath(flags: InspectFlags, kind: 'maps' | 'motion', name: string): string {
  const given = flags[kind];
  if (typeof given === 'string' && flags.out !== undefined) throw new UserError(words`${option(kind)} ${given} and ${option('out')} ${flags.out} both name the picture; give one`);
  return outputFile(typeof given === 'string' ? given : flags.out, `${name}-${kind}.png`, '.png', typeof given === 'string' ? kind : 'out', kind === 'maps' ? 'the maps' : 'the chart');
}

export function registerInspect(program: Command): void {
  const command = program
    .command('inspect')
    .description(`look inside a scene's network: per-layer statistics for one frame, a grey-goo check, and with ${flagWord('maps')} what every unit paints`)
    .argument('[scene]', 'scene file (.yaml)');
  addOptions(command, ['at', 'json', 'maps', 'motion', 'tile', 'maxSide', 'seed', 'from', 'out', 'quiet']).action(async (scenePath: string | undefined, flags: InspectFlags) => {
      const report = reporter(flags.quiet);
      // --maps takes an optional file name, so `inspect --maps scene.yaml` would read the scene as one.
      if (typeof flags.maps === 'string' && !flags.maps.toLowerCase().endsWith('.png') && !namesFolder(flags.maps)) {
        throw new UserError(words`${option('maps')} ${flags.maps}: the maps are written as a .png file`, words`put the scene first (inspect scene.yaml ${option('maps')}), or name a .png file`);
      }
      if (typeof flags.motion === 'string' && !flags.motion.toLowerCase().endsWith('.png') && !namesFolder(flags.motion)) {
        throw new UserError(words`${option('motion')} ${flags.motion}: the chart is written as a .png file`, words`put the scene first (inspect scene.yaml ${option('motion')}), or name a .png file`);
      }
      const wantMaps = flags.maps !== undefined && flags.maps !== false;
      const wantMotion = flags.motion !== undefined && flags.motion !== false;
      const wholeVideo = { idle: wantMotion, because: words`with ${option('motion')}, which measures every frame of the whole video at its own size`, hint: words`leave it out, or inspect one moment without ${option('motion')}` };
      refuseIdleFlags([
        {
          option: 'out',
          given: flags.out !== undefined,
          idle: !wantMaps && !wantMotion,
          because: words`without ${option('maps')} or ${option('motion')}: the statistics print to the standard output`,
          hint: words`add ${option('maps')} or ${option('motion')} for a picture, or send the statistics to a file with > file`,
        },
        { option: 'tile', given: flags.tile !== undefined, idle: !wantMaps, because: words`without ${option('maps')}`, hint: words`add ${option('maps')}, or leave ${option('tile')} out` },
        { option: 'at', given: flags.at !== undefined, ...wholeVideo },
        { option: 'maxSide', given: flags.maxSide !== undefined, ...wholeVideo },
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
      const inspection = inspectScene(loaded, { at: flags.at ?? 0, maxSide: flags.maxSide });
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
