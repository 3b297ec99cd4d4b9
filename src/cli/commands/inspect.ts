import type { Command } from 'commander';
import { join } from 'node:path';
import { writeFileAtomic } from '../../encode/atomic-output.js';
import { UserError } from '../../errors.js';
import { formatInspection, formatMotion, inspectionJson, inspectScene, measureMotion, renderMotionChart, renderNeuronMaps, withOtherPacing } from '../../inspect/index.js';
import { parseNonNegative, parseSeed, parseWholeNumber } from '../options.js';
import { printData, reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface InspectFlags {
  at: number;
  json?: boolean;
  maps?: string | boolean;
  motion?: string | boolean;
  tile: number;
  size?: number;
  seed?: number;
  from?: string;
  quiet?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("look inside a scene's network: per-layer statistics for one frame, a grey-goo check, and with --maps what every unit paints")
    .argument('[scene]', 'scene file (.yaml)')
    .option('--at <seconds>', 'time in the scene', parseNonNegative, 0)
    .option('--json', 'print the statistics as JSON')
    .option('--maps [file.png]', "draw every unit's image, one row per layer (default file: output/<name>-maps.png)")
    .option('--motion [file.png]', 'chart how much the picture changes from frame to frame over the whole video, naming spikes and stalls (default file: output/<name>-motion.png)')
    .option('--tile <px>', 'tile size for --maps', parseWholeNumber(8, 512), 64)
    .option('--size <px>', 'longest side the statistics are computed at (default: 256, less for wide networks)', parseWholeNumber(8, 4096))
    .option('--seed <n>', 'network seed (keyframe seeds move by the same amount)', parseSeed)
    .option('--from <file.png>', 'inspect the scene stored in an earlier output')
    .option('-q, --quiet', 'print nothing but the statistics, warnings and errors')
    .action(async (scenePath: string | undefined, flags: InspectFlags) => {
      const report = reporter(flags.quiet);
      // --maps takes an optional file name, so `inspect --maps scene.yaml` would read the scene as one.
      if (typeof flags.maps === 'string' && !flags.maps.toLowerCase().endsWith('.png')) {
        throw new UserError(`--maps ${flags.maps}: the maps are written as a .png file`, 'put the scene first (inspect scene.yaml --maps), or name a .png file');
      }
      if (typeof flags.motion === 'string' && !flags.motion.toLowerCase().endsWith('.png')) {
        throw new UserError(`--motion ${flags.motion}: the chart is written as a .png file`, 'put the scene first (inspect scene.yaml --motion), or name a .png file');
      }
      const loaded = await sceneFromArguments(scenePath, flags.from, { seed: flags.seed }, report);
      if (flags.motion !== undefined && flags.motion !== false) {
        const motion = measureMotion(loaded);
        const other = measureMotion(withOtherPacing(loaded));
        process.stdout.write(flags.json ? `${JSON.stringify({ motion, other }, null, 2)}\n` : `${formatMotion(motion, other)}\n`);
        const name = flags.seed !== undefined ? `${loaded.model.name}-seed-${flags.seed}` : loaded.model.name;
        const out = typeof flags.motion === 'string' ? flags.motion : join('output', `${name}-motion.png`);
        const chart = await renderMotionChart(motion, other);
        writeFileAtomic(out, chart.png);
        report.info(`wrote ${out} (${chart.width}x${chart.height})`);
        return;
      }
      const inspection = inspectScene(loaded, { at: flags.at, maxSide: flags.size });
      await printData(flags.json ? `${JSON.stringify(inspectionJson(inspection), null, 2)}\n` : `${formatInspection(inspection)}\n`);
      if (inspection.greyGoo) report.warn(inspection.greyGoo.message);
      if (inspection.noise) report.warn(inspection.noise.message);
      if (flags.maps !== undefined && flags.maps !== false) {
        const name = flags.seed !== undefined ? `${loaded.model.name}-seed-${flags.seed}` : loaded.model.name;
        const out = typeof flags.maps === 'string' ? flags.maps : join('output', `${name}-maps.png`);
        const maps = renderNeuronMaps(loaded, { at: flags.at, tile: flags.tile });
        writeFileAtomic(out, maps.png);
        report.info(`wrote ${out} (${maps.width}x${maps.height}, tiles of ${maps.tile[0]}x${maps.tile[1]})`);
      }
    });
}
