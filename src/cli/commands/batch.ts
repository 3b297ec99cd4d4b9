import type { Command } from 'commander';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { MANIFEST_FILE, planItems, planRun, runBatch, seriesInfo, seriesSpec, type BatchItem, type ItemResult, type SeriesInfo } from '../../batch/index.js';
import { outputPath } from '../../encode/formats/index.js';
import { option, UserError, words } from '../../errors.js';
import { GIF_DITHERS, isStillScene, loadScene, type Format, type GridParameter } from '../../scene/index.js';
import type { FrameBackend } from '../../render/frame-backend.js';
import { clusterBackend, type ClusterFlags } from '../cluster-flags.js';
import { interruptible } from '../interrupts.js';
import { refuseIdleFlags, storeNeedsRedis } from '../idle-flags.js';
import { protectSceneInputs, refuseReplacingInputs } from '../inputs.js';
import { addOptions, cliSay } from '../options.js';
import { commandLine } from '../../scene/options/index.js';
import { clusterPixelBackend, createFrameBackend, decideBackend, describeChoice, withRenderedBy, type BackendRequest, type ChosenBackend } from '../../render/backend-choice.js';
import type { RenderedBy } from '../../render/frame-backend.js';
import { printData, reporter, type Reporter } from '../report.js';
import { VERSION } from '../version.js';

interface BatchFlags extends ClusterFlags {
  seeds?: number[];
  grid: Array<[GridParameter, number[]]>;
  out?: string;
  size?: [number, number];
  fps?: number;
  duration?: number;
  formats?: Format[];
  gifColors?: number;
  gifDither?: (typeof GIF_DITHERS)[number];
  antialias?: number;
  workers?: number;
  force?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  contactSheet: boolean;
  animatedSheet?: boolean | Format;
  backend: BackendRequest;
  quiet?: boolean;
}


function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function describe(result: ItemResult): string {
  if (result.status === 'done') return `done in ${result.seconds!.toFixed(1)} s (${result.outputs!.map((o) => `${o.format} ${formatSize(o.bytes)}`).join(', ')})`;
  if (result.status === 'skipped') return `skipped: ${cliSay(result.reason ?? '')}`;
  return `FAILED: ${cliSay(result.reason ?? '')}`;
}

/** Scene arguments: files, or glob patterns (quoted, so the shell leaves them to us). */
async function scenePaths(patterns: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const pattern of patterns) {
    if (/[*?[\]{}]/.test(pattern)) {
      const found = (await glob(pattern, { onlyFiles: true })).sort();
      if (found.length === 0) throw new UserError(`${pattern} matches no files`);
      paths.push(...found);
    } else paths.push(pattern);
  }
  return [...new Set(paths)];
}

interface PlannedSeries {
  folder: string;
  items: BatchItem[];
  origin: string;
  name: string;
  series: SeriesInfo;
}

/** `renderedBy`: what will render (the outputs record it). */
function planScene(path: string, flags: BatchFlags, report: Reporter, renderedBy: RenderedBy): PlannedSeries {
  const loaded = loadScene(path);
  protectSceneInputs(loaded, { scene: path });
  for (const warning of [...loaded.warnings, ...(loaded.motionWarning ? [loaded.motionWarning] : [])]) report.warn(warning);
  // validate is quiet about a still that never moves; a series of videos of it is another matter.
  if (isStillScene(loaded.scene)) report.warn(`${path} is a still (output.kind: still): every item of the series is a video of one picture; \`${commandLine('still', path, ['seed', 'N'])}\` writes one network as a PNG`);
  const spec = seriesSpec(loaded.scene, { seeds: flags.seeds, grid: flags.grid.length > 0 ? flags.grid : undefined });
  // A series is GIFs unless asked otherwise: by --format, or by formats the scene itself lists.
  const formats = flags.formats ?? (loaded.formatsWritten ? undefined : (['gif'] as Format[]));
  const settings = { size: flags.size, fps: flags.fps, duration: flags.duration, formats, gifColors: flags.gifColors, gifDither: flags.gifDither, antialias: flags.antialias };
  const planned = planItems(loaded, spec, settings, Boolean(flags.yes));
  // An item's outputs record what rendered them; an item rendered by another backend is not current.
  const items = planned.map((item) => ({ ...item, loaded: withRenderedBy(item.loaded, renderedBy) }));
  const info = seriesInfo(loaded, items, settings);
  // Items of earlier runs, rebuilt for the contact sheet, carry the same stamp as this run's.
  const series: SeriesInfo = { ...info, itemFor: (name, params) => {
    const item = info.itemFor(name, params);
    return { ...item, loaded: withRenderedBy(item.loaded, renderedBy) };
  } };
  return { folder: join(flags.out ?? 'output', loaded.model.name), items, origin: path, name: loaded.model.name, series };
}

/** Everything a series writes into its folder, for the input check before anything renders. */
function seriesOutputs(series: PlannedSeries, flags: BatchFlags): string[] {
  const sheets = ['contact-sheet.png', ...(flags.animatedSheet ? [outputPath('contact-sheet', flags.animatedSheet === true ? 'gif' : flags.animatedSheet)] : [])];
  return [
    ...series.items.flatMap((item) => item.loaded.scene.output.formats.map((format) => outputPath(join(series.folder, item.name), format))),
    ...[MANIFEST_FILE, ...sheets].map((file) => join(series.folder, file)),
  ];
}

async function renderSeries(series: PlannedSeries, flags: BatchFlags, report: Reporter, backend: FrameBackend | undefined): Promise<ItemResult[]> {
  const total = series.items.length;
  let finished = 0;
  const result = await interruptible((signal) => {
    // Said once a signal would stop it cleanly.
    report.info(`${series.origin}: ${total} item${total === 1 ? '' : 's'} → ${series.folder}/`);
    return runBatch(series.items, {
      folder: series.folder,
      origin: series.origin,
      sceneName: series.name,
      tool: { name: 'cppn-motion', version: VERSION },
      force: flags.force,
      workers: flags.workers,
      backend,
      signal,
      contactSheet: flags.contactSheet,
      animatedSheet: flags.animatedSheet,
      series: series.series,
      events: {
        itemEnd: (item, r) => {
          finished++;
          report.info(`[${finished}/${total}] ${item.name}: ${describe(r)}`);
        },
      },
    });
  });
  if (result.contactSheet) report.info(`wrote ${result.contactSheet}`);
  if (result.animatedSheet) report.info(`wrote ${result.animatedSheet}`);
  report.info(`wrote ${join(series.folder, 'manifest.json')} (${(result.wallMs / 1000).toFixed(1)} s)`);
  return result.results;
}

export function registerBatch(program: Command): void {
  const command = program
    .command('batch')
    .description('render a series: one GIF (and whatever else the scene asks for) per seed and parameter combination, with a contact sheet and a manifest, into output/<name>/')
    .argument('<scenes...>', 'scene files or quoted glob patterns (e.g. "scenes/*.yaml")');
  addOptions(command, [
    'seeds',
    'grid',
    'out',
    'size',
    'fps',
    'duration',
    'formats',
    'gifColors',
    'gifDither',
    'antialias',
    'workers',
    'force',
    'dryRun',
    'yes',
    'contactSheet',
    'animatedSheet',
    'quiet',
    'backend',
    'redis',
    'store',
  ]).action(async (patterns: string[], flags: BatchFlags) => {
      const report = reporter(flags.quiet);
      refuseIdleFlags([storeNeedsRedis(flags)]);
      const paths = await scenePaths(patterns);
      const decision = flags.redis === undefined ? await decideBackend(flags.backend) : undefined;
      // On a cluster the workers of one backend render every item, on whichever adapters they have (see ClusterBackend.renderedBy).
      const renderedBy: RenderedBy = decision === undefined ? { backend: clusterPixelBackend(flags.backend) } : decision.kind === 'gpu' ? { backend: 'gpu', adapter: decision.adapter?.name } : { backend: 'cpu' };
      // Plan everything first: a mistake in any scene stops the batch before anything renders.
      const plans = paths.map((path) => planScene(path, flags, report, renderedBy));
      // GIF settings reach the items' GIFs and a GIF contact sheet; with neither, they would be ignored.
      const writesGif = flags.animatedSheet === true || flags.animatedSheet === 'gif' || plans.some((p) => p.items.some((item) => item.loaded.scene.output.formats.includes('gif')));
      const noGif = { idle: !writesGif, because: 'when no GIF is written (the items are not GIFs, nor is an animated sheet)', hint: words`add gif to ${option('formats')}, or leave the GIF settings out` };
      refuseIdleFlags([
        { option: 'gifColors', given: flags.gifColors !== undefined, ...noGif },
        { option: 'gifDither', given: flags.gifDither !== undefined, ...noGif },
      ]);
      for (const series of plans) refuseReplacingInputs(seriesOutputs(series, flags));
      if (flags.dryRun) {
        const lines: string[] = [];
        for (const series of plans) {
          lines.push(`${series.origin} → ${series.folder}/`);
          for (const p of planRun(series.items, series.folder, flags.force, series.series)) lines.push(`  ${p.action === 'render' ? 'render' : 'skip  '}  ${p.item.name}  (${cliSay(p.reason)})`);
        }
        await printData(`${lines.join('\n')}\n`);
        return;
      }
      const all: ItemResult[] = [];
      const cluster = await clusterBackend(flags, report, clusterPixelBackend(flags.backend), flags.workers);
      let chosen: ChosenBackend | undefined;
      try {
        if (decision) {
          chosen = await createFrameBackend(decision, { workers: flags.workers });
          report.info(`rendering ${describeChoice(chosen)}`);
        }
        const backend: FrameBackend | undefined = cluster ?? chosen?.backend;
        for (const series of plans) all.push(...(await renderSeries(series, flags, report, backend)));
      } finally {
        await cluster?.close();
        await chosen?.backend.close();
      }
      const count = (status: ItemResult['status']): number => all.filter((r) => r.status === status).length;
      report.info(`\nsummary: ${count('done')} done, ${count('skipped')} skipped, ${count('failed')} failed`);
      for (const r of all) {
        const line = `  ${r.status.padEnd(7)} ${r.name}${r.status === 'done' ? '' : `  (${cliSay(r.reason ?? '')})`}`;
        // Failures are errors: they show even with --quiet.
        if (r.status === 'failed') process.stderr.write(`${line}\n`);
        else report.info(line);
      }
      if (count('failed') > 0) process.exitCode = 1;
    });
}
