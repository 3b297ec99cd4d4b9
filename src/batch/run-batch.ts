/**
 * Rendering a series. Every item shares one worker pool, and two items render
 * at a time, so frames of different items interleave and the cores stay busy
 * while an item's encoders finish. Items whose outputs are complete and
 * current (per the manifest) are skipped; a failed item is recorded and the
 * others go on; an interrupt stops everything, keeping what was finished.
 */
import PQueue from 'p-queue';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../encode/atomic-output.js';
import { InterruptedError } from '../errors.js';
import { createRenderPool, type RenderPool } from '../render/pool.js';
import { scenePayload } from '../render/scene-payload.js';
import { renderStill } from '../render/still.js';
import { renderVideo, type Progress } from '../render/video.js';
import { applyOverrides } from '../scene/index.js';
import { drawContactSheet } from './contact-sheet.js';
import { readManifest, staleReason, writeManifest, type Manifest, type ManifestItem, type ManifestOutput } from './manifest.js';
import type { BatchItem } from './series.js';

export interface ItemResult {
  name: string;
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
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
  signal?: AbortSignal;
  events?: BatchEvents;
  /** Draw contact-sheet.png (default true). */
  contactSheet?: boolean;
}

export interface BatchResult {
  folder: string;
  results: ItemResult[];
  contactSheet?: string;
  wallMs: number;
}

export interface PlannedItem {
  item: BatchItem;
  action: 'render' | 'skip';
  reason: string;
}

/** What a run would do: render or skip each item, and why. */
export function planRun(items: BatchItem[], folder: string, force = false): PlannedItem[] {
  const manifest = readManifest(folder);
  const entries = new Map(manifest?.items.map((e) => [e.name, e]));
  return items.map((item) => {
    if (force) return { item, action: 'render', reason: '--force' };
    const stale = staleReason(folder, entries.get(item.name), scenePayload(item.loaded).key);
    return stale ? { item, action: 'render', reason: stale } : { item, action: 'skip', reason: 'outputs complete and current' };
  });
}

function outputBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, f) => sum + statSync(join(path, f)).size, 0);
}

/** Seconds into the video that best shows an item: its middle. */
function representativeTime(item: BatchItem): number {
  return item.loaded.scene.output.duration / 2;
}

async function drawSheet(items: BatchItem[], folder: string, pool: RenderPool, sceneName: string): Promise<string> {
  const longest = 192;
  const cells = [];
  let cell: [number, number] = [1, 1];
  for (const item of items) {
    const { width, height } = item.loaded.model;
    const scale = Math.min(1, longest / Math.max(width, height));
    const size: [number, number] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
    cell = [Math.max(cell[0], size[0]), Math.max(cell[1], size[1])];
    const thumb = applyOverrides(item.loaded, { size });
    const still = await renderStill(thumb, { at: representativeTime(item), pool });
    const detail = Object.entries(item.params)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ');
    // The heading names the scene; each cell says what is particular to it.
    const title = item.name.startsWith(`${sceneName}-`) ? item.name.slice(sceneName.length + 1) : item.name;
    cells.push({ title, detail: detail || 'the scene as written', still });
  }
  const path = join(folder, 'contact-sheet.png');
  writeFileAtomic(path, drawContactSheet(`${sceneName} — ${items.length} item${items.length === 1 ? '' : 's'}`, cells, cell));
  return path;
}

export async function runBatch(items: BatchItem[], options: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  const { folder } = options;
  const plan = planRun(items, folder, options.force);
  const previous = readManifest(folder);
  const entries = new Map<string, ManifestItem>(previous?.items.map((e) => [e.name, e]));
  const manifest = (): Manifest => {
    const planned = new Set(items.map((i) => i.name));
    const ordered = [...items.map((i) => entries.get(i.name)).filter((e): e is ManifestItem => e !== undefined), ...[...entries.values()].filter((e) => !planned.has(e.name))];
    return { tool: options.tool, scene: options.origin, updatedAt: new Date().toISOString(), items: ordered };
  };
  const pool = createRenderPool(options.workers ?? availableParallelism());
  const results = new Map<string, ItemResult>();
  // Two items at a time: while one item's encoders finish, the other's frames keep the workers busy.
  const queue = new PQueue({ concurrency: 2 });
  let interrupted: unknown;
  try {
    for (const { item, action, reason } of plan) {
      if (action === 'skip') {
        const result: ItemResult = { name: item.name, status: 'skipped', reason };
        results.set(item.name, result);
        options.events?.itemEnd?.(item, result);
        continue;
      }
      void queue.add(async () => {
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
          const video = await renderVideo(item.loaded, {
            outStem: join(folder, item.name),
            pool,
            signal: options.signal,
            onProgress: (p) => options.events?.itemProgress?.(item, p),
          });
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
          const result: ItemResult = { name: item.name, status: 'failed', reason: message };
          results.set(item.name, result);
          options.events?.itemEnd?.(item, result);
        }
      });
    }
    await queue.onIdle();
    if (interrupted || options.signal?.aborted) throw interrupted instanceof InterruptedError ? interrupted : options.signal?.reason ?? interrupted;
    writeManifest(folder, manifest());
    const contactSheet = options.contactSheet === false ? undefined : await drawSheet(items, folder, pool, options.sceneName);
    return { folder, results: items.map((i) => results.get(i.name)!), contactSheet, wallMs: performance.now() - started };
  } finally {
    queue.clear();
    await pool.destroy();
  }
}
