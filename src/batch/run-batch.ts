/**
 * Rendering a series. Every item shares one frame backend (the local threads
 * or a cluster), and several items render at a time (as many as the backend
 * asks for), so frames of different items interleave and the workers stay
 * busy while an item's encoders finish. A backend that sends whole videos
 * away (a cluster) gets each item whole: one worker renders, codes and
 * thumbnails it, and the outputs come back into the series folder. Items whose outputs are complete and
 * current (per the manifest) are skipped; a failed item is recorded and the
 * others go on; an interrupt stops everything, keeping what was finished.
 */
import PQueue from 'p-queue';
import { setMaxListeners } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import { createEncoder, outputPath } from '../encode/formats/index.js';
import { InterruptedError, option, UserError, type Text } from '../errors.js';
import type { FrameBackend, Still } from '../render/frame-backend.js';
import { encodeOptions } from '../render/encode-job.js';
import { createLocalBackend } from '../render/local-backend.js';
import { scenePayload } from '../render/scene-payload.js';
import { renderStill } from '../render/still.js';
import { progressCounter } from '../render/scheduler.js';
import { renderVideo, type Progress, type VideoResult } from '../render/video.js';
import { applyOverrides, type Format, type LoadedScene } from '../scene/index.js';
import { lockSeriesFolder } from './folder-lock.js';
import { drawContactSheet, placePicture, sheetBackground, sheetLayout, type SheetLabel } from './contact-sheet.js';
import { readManifest, staleReason, writeManifest, type Manifest, type ManifestItem, type ManifestOutput } from './manifest.js';
import { seriesFolderMode, sheetItems, type SeriesInfo } from './series-folder.js';
import type { BatchItem } from './series.js';

export interface ItemResult {
  name: string;
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: Text;
  seconds?: number;
  outputs?: ManifestOutput[];
}

export interface BatchEvents {
  itemStart?(item: BatchItem): void;
  itemProgress?(item: BatchItem, progress: Progress): void;
  itemEnd?(item: BatchItem, result: ItemResult): void;
}

export interface BatchOptions {
  /** The series folder (output/<scene name> by default). */
  folder: string;
  /** The scene file, for the manifest. */
  origin: string;
  /** The scene's name: the contact sheet's heading; item names start with it. */
  sceneName: string;
  tool: { name: string; version: string };
  force?: boolean;
  workers?: number;
  /** Who renders the frames (default: this machine's threads); it is not closed. */
  backend?: FrameBackend;
  signal?: AbortSignal;
  events?: BatchEvents;
  /** Draw contact-sheet.png (default true). */
  contactSheet?: boolean;
  /** Also make an animated contact sheet, every item playing side by side: true for contact-sheet.gif, or another format. */
  animatedSheet?: boolean | Format;
  /**
   * What the series is: a folder holding another series is refused (or, with
   * `force`, started afresh), and the contact sheets show every finished item
   * of the manifest, not only this run's.
   */
  series?: SeriesInfo;
}

export interface BatchResult {
  folder: string;
  results: ItemResult[];
  contactSheet?: string;
  animatedSheet?: string;
  wallMs: number;
}

export interface PlannedItem {
  item: BatchItem;
  action: 'render' | 'skip';
  reason: Text;
}

/**
 * What a run would do: render or skip each item, and why. With `series`, a
 * folder holding another series is refused (a UserError), as the run would.
 */
export function planRun(items: BatchItem[], folder: string, force = false, series?: SeriesInfo): PlannedItem[] {
  return planAgainst(items, folder, force, manifestToContinue(folder, series, force));
}

/** The folder's manifest when this run continues its series; undefined when it starts one. */
function manifestToContinue(folder: string, series: SeriesInfo | undefined, force: boolean): Manifest | undefined {
  const manifest = readManifest(folder);
  if (!series) return manifest;
  return seriesFolderMode(folder, manifest, series.record, force) === 'resume' ? manifest : undefined;
}

function planAgainst(items: BatchItem[], folder: string, force: boolean, manifest: Manifest | undefined): PlannedItem[] {
  const entries = new Map(manifest?.items.map((e) => [e.name, e]));
  return items.map((item) => {
    if (force) return { item, action: 'render', reason: [option('force')] };
    const stale = staleReason(folder, entries.get(item.name), scenePayload(item.loaded).key);
    return stale ? { item, action: 'render', reason: stale } : { item, action: 'skip', reason: 'outputs complete and current' };
  });
}

function outputBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, f) => sum + statSync(join(path, f)).size, 0);
}

/** Seconds into the video that a thumbnail of an item shows: its middle (named apart from the scene's representativeTime, which is 0 s for a scene that never moves). */
function thumbnailTime(item: BatchItem): number {
  return item.loaded.scene.output.duration / 2;
}

const THUMBNAIL = 192;

/** An item's thumbnail size: at most 192 px on the longer side. */
function thumbnailSize(item: BatchItem): [number, number] {
  const { width, height } = item.loaded.model;
  const scale = Math.min(1, THUMBNAIL / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Each item at thumbnail size, and the cell size that holds them all. */
function thumbnails(items: BatchItem[]): { scaled: LoadedScene[]; cell: [number, number] } {
  let cell: [number, number] = [1, 1];
  const scaled = items.map((item) => {
    const size = thumbnailSize(item);
    cell = [Math.max(cell[0], size[0]), Math.max(cell[1], size[1])];
    return applyOverrides(item.loaded, { size });
  });
  return { scaled, cell };
}

function labels(items: BatchItem[], sceneName: string): SheetLabel[] {
  return items.map((item) => ({
    // The heading names the scene; each cell says what is particular to it.
    title: item.name.startsWith(`${sceneName}-`) ? item.name.slice(sceneName.length + 1) : item.name,
    detail:
      Object.entries(item.params)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ') || 'the scene as written',
  }));
}

function heading(sceneName: string, count: number): string {
  return `${sceneName} — ${count} item${count === 1 ? '' : 's'}`;
}

/** `known`: thumbnails that came with their items (rendered where the item was); the others are rendered here. */
async function writeContactSheet(items: BatchItem[], folder: string, backend: FrameBackend, sceneName: string, known: Map<string, Still>): Promise<string> {
  const { scaled, cell } = thumbnails(items);
  const pictures = await Promise.all(scaled.map((thumb, i) => known.get(items[i].name) ?? renderStill(thumb, { at: thumbnailTime(items[i]), backend })));
  const path = join(folder, 'contact-sheet.png');
  writeFileAtomic(path, drawContactSheet(heading(sceneName, items.length), labels(items, sceneName), pictures, cell));
  return path;
}

/**
 * contact-sheet.gif: every item playing side by side. Frame by frame, each
 * item's frame is rendered at thumbnail size into its own shared buffer and
 * copied into the labelled background; frames stream to the GIF encoder.
 */
async function writeAnimatedSheet(items: BatchItem[], folder: string, backend: FrameBackend, sceneName: string, format: Format, signal?: AbortSignal): Promise<string> {
  const { scaled, cell } = thumbnails(items);
  const layout = sheetLayout(items.length, cell);
  const background = sheetBackground(heading(sceneName, items.length), labels(items, sceneName), layout);
  const first = scaled[0];
  const frames = Math.max(...scaled.map((s) => s.model.timeline.frameCount));
  const path = outputPath(join(folder, 'contact-sheet'), format);
  // The items' settings, but not their GIF size, frame rate or budget: the sheet has its own,
  // at its full size (not the default GIF's smaller one), so its labels stay readable.
  const options = encodeOptions(first.scene.output);
  const sheetOptions = { ...options, gif: { ...options.gif, size: [layout.width, layout.height] as const, fps: undefined, maxBytes: undefined } };
  const encoder = createEncoder(format, { width: layout.width, height: layout.height, fps: first.scene.output.fps, frameCount: frames, path, options: sheetOptions });
  const frame = new Uint8Array(layout.width * layout.height * 4);
  // One frame job per item runs at once, each listening for the abort: on a
  // signal of our own, so the caller's does not collect a listener per item.
  const jobs = new AbortController();
  setMaxListeners(0, jobs.signal);
  const onAbort = (): void => jobs.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let f = 0; f < frames; f++) {
      if (signal?.aborted) throw signal.reason;
      const pictures = await Promise.all(scaled.map((s) => backend.picture(s, { index: Math.min(f, s.model.timeline.frameCount - 1) }, jobs.signal)));
      frame.set(background);
      pictures.forEach((picture, i) => placePicture(frame, layout, i, picture));
      await encoder.writeFrame(frame);
    }
    await encoder.finish();
    encoder.commit();
    return path;
  } catch (error) {
    await encoder.abort();
    // Stopped from outside: that, not the aborted jobs' AbortError, is the cause.
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Renders one item: sent whole to a backend that takes whole videos (a
 * cluster's worker renders, codes and thumbnails it), else rendered here.
 */
async function renderItem(item: BatchItem, outStem: string, backend: FrameBackend, options: BatchOptions, thumbnailsMade: Map<string, Still>): Promise<Pick<VideoResult, 'outputs'>> {
  const onProgress = (p: Progress): void => options.events?.itemProgress?.(item, p);
  if (!backend.renderWhole) return renderVideo(item.loaded, { outStem, backend, signal: options.signal, onProgress });
  const count = progressCounter(item.loaded.model.timeline.frameCount, () => backend.activeWorkers(), onProgress);
  let reported = 0;
  const whole = await backend.renderWhole(item.loaded, {
    outStem,
    formats: item.loaded.scene.output.formats,
    thumbnail: options.contactSheet === false ? undefined : { size: thumbnailSize(item), at: thumbnailTime(item) },
    signal: options.signal,
    onProgress: (done) => {
      count(done - reported);
      reported = done;
    },
  });
  if (whole.thumbnail) thumbnailsMade.set(item.name, whole.thumbnail);
  return whole;
}

export async function runBatch(items: BatchItem[], options: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  const { folder } = options;
  const unlock = lockSeriesFolder(folder);
  try {
    return await runLocked(items, options, started);
  } finally {
    unlock();
  }
}

async function runLocked(items: BatchItem[], options: BatchOptions, started: number): Promise<BatchResult> {
  const { folder } = options;
  // Under the lock: what the folder holds cannot change while this is decided.
  const previous = manifestToContinue(folder, options.series, options.force ?? false);
  const plan = planAgainst(items, folder, options.force ?? false, previous);
  const entries = new Map<string, ManifestItem>(previous?.items.map((e) => [e.name, e]));
  const manifest = (): Manifest => {
    // The series' items in the order they joined it: those already listed, then this run's new ones in plan order.
    const listed = new Set(previous?.items.map((e) => e.name));
    const ordered = [...(previous?.items ?? []).map((e) => entries.get(e.name)!), ...items.filter((i) => !listed.has(i.name)).map((i) => entries.get(i.name)).filter((e): e is ManifestItem => e !== undefined)];
    return { tool: options.tool, scene: options.origin, series: options.series?.record, updatedAt: new Date().toISOString(), items: ordered };
  };
  const backend = options.backend ?? createLocalBackend({ workers: options.workers });
  const results = new Map<string, ItemResult>();
  // Thumbnails that come back with items rendered elsewhere, for the contact sheet.
  const thumbnailsMade = new Map<string, Still>();
  const queue = new PQueue({ concurrency: backend.itemConcurrency });
  let interrupted: unknown;
  // Anything an item's task throws outside its own handling (a full disk while
  // writing the manifest, say) stops the batch with that error.
  let broken: unknown;
  const stopIfAborted = (): void => {
    if (interrupted || options.signal?.aborted) throw interrupted instanceof InterruptedError ? interrupted : (options.signal?.reason ?? interrupted);
  };
  try {
    for (const { item, action, reason } of plan) {
      if (action === 'skip') {
        const result: ItemResult = { name: item.name, status: 'skipped', reason };
        results.set(item.name, result);
        options.events?.itemEnd?.(item, result);
        continue;
      }
      queue.add(async () => {
        if (interrupted || options.signal?.aborted) return;
        options.events?.itemStart?.(item);
        const itemStarted = performance.now();
        const model = item.loaded.model;
        const base: Omit<ManifestItem, 'status' | 'outputs' | 'renderSeconds' | 'finishedAt'> = {
          name: item.name,
          params: item.params,
          sceneHash: scenePayload(item.loaded).key,
          frames: model.timeline.frameCount,
          durationSeconds: item.loaded.scene.output.duration,
          fps: item.loaded.scene.output.fps,
          size: [model.width, model.height],
        };
        try {
          const video = await renderItem(item, join(folder, item.name), backend, options, thumbnailsMade);
          const outputs = video.outputs.map((o) => ({ format: o.format, file: relative(folder, o.path) || basename(o.path), bytes: outputBytes(o.path) }));
          const seconds = (performance.now() - itemStarted) / 1000;
          entries.set(item.name, { ...base, status: 'done', outputs, renderSeconds: Number(seconds.toFixed(3)), finishedAt: new Date().toISOString() });
          writeManifest(folder, manifest());
          const result: ItemResult = { name: item.name, status: 'done', seconds, outputs };
          results.set(item.name, result);
          options.events?.itemEnd?.(item, result);
        } catch (error) {
          if (error instanceof InterruptedError || options.signal?.aborted) {
            interrupted ??= error;
            return;
          }
          const message = (error as Error).message;
          entries.set(item.name, { ...base, status: 'failed', outputs: [], renderSeconds: 0, finishedAt: new Date().toISOString(), error: message });
          writeManifest(folder, manifest());
          const result: ItemResult = { name: item.name, status: 'failed', reason: error instanceof UserError ? error.said : message };
          results.set(item.name, result);
          options.events?.itemEnd?.(item, result);
        }
      }).catch((error: unknown) => {
        broken ??= error;
        queue.clear();
      });
    }
    await queue.onIdle();
    if (broken) throw broken;
    stopIfAborted();
    const finished = manifest();
    writeManifest(folder, finished);
    // The sheets show the whole series as the manifest lists it, not only this run's items.
    const shown = options.series ? sheetItems(finished.items, items, options.series) : items;
    const contactSheet = options.contactSheet === false || shown.length === 0 ? undefined : await writeContactSheet(shown, folder, backend, options.sceneName, thumbnailsMade);
    stopIfAborted();
    const sheetFormat = options.animatedSheet === true ? 'gif' : options.animatedSheet;
    const animatedSheet = sheetFormat && shown.length > 0 ? await writeAnimatedSheet(shown, folder, backend, options.sceneName, sheetFormat, options.signal) : undefined;
    stopIfAborted();
    return { folder, results: items.map((i) => results.get(i.name)!), contactSheet, animatedSheet, wallMs: performance.now() - started };
  } finally {
    queue.clear();
    if (!options.backend) await backend.close();
  }
}
