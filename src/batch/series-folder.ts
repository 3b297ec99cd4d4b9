/**
 * One series per folder. A batch into a folder that already holds a series
 * either continues that series (the same scene, rendered with the same
 * output settings: items are added, finished ones skipped) or is refused,
 * naming each setting that differs; `--force` starts the new series there
 * instead. The manifest records what the series is, so the next batch can
 * tell; without that, a 256² batch into a 512² series replaced some of its
 * items and left a manifest and a contact sheet that no longer described the
 * folder.
 */
import { option, UserError, words, type Words } from '../errors.js';
import { optionOfSceneKey } from '../scene/options/index.js';
import { scenePayload } from '../render/scene-payload.js';
import { sceneHash } from '../render/scene-hash.js';
import { sceneFromFile, type GridParameter, type LoadedScene } from '../scene/index.js';
import type { Manifest, ManifestItem } from './manifest.js';
import { planItems, type BatchItem, type ItemSettings } from './series.js';

/** What makes a series one series: written in its manifest. */
export interface SeriesRecord {
  /** The scene file it was rendered from (for people; the hash decides). */
  scene: string;
  /** Everything in the scene that shapes the pictures, apart from the output settings and what the items vary. */
  sceneHash: string;
  /** The output settings every item shares, flattened: size, fps, duration, formats, antialias, gif.colors… */
  output: Record<string, unknown>;
}

/** A series as a batch knows it: its record, and how to make any of its items again (for the contact sheet). */
export interface SeriesInfo {
  record: SeriesRecord;
  /** The item with these parameters, named `name`: the series' scene with the item's seed and grid values. */
  itemFor(name: string, params: Record<string, number>): BatchItem;
}

/** Keys that name or describe a scene but change no pixel. */
const NOT_PICTURE = ['name', 'description', '$schema', 'series', 'output'] as const;

function flatten(value: unknown, prefix: string, into: Record<string, unknown>): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) into[prefix] = value;
  return into;
}

function pictureHash(loaded: LoadedScene): string {
  const rest: Record<string, unknown> = { ...loaded.scene };
  for (const key of NOT_PICTURE) delete rest[key];
  return sceneHash(rest, loaded.library.values());
}

/** The output settings of an item, with the size in one form whichever way the scene wrote it. */
function outputSettings(item: LoadedScene): Record<string, unknown> {
  const settings = flatten(item.scene.output, '', {});
  settings.size = `${item.model.width}x${item.model.height}`;
  return settings;
}

/**
 * The series of `base` (a scene as loaded) rendered as `items` with
 * `settings`: every item shares the output settings, so the first one's stand
 * for all.
 */
export function seriesInfo(base: LoadedScene, items: BatchItem[], settings: ItemSettings): SeriesInfo {
  const record: SeriesRecord = { scene: base.origin, sceneHash: pictureHash(base), output: items.length > 0 ? outputSettings(items[0].loaded) : {} };
  return {
    record,
    itemFor(name, params) {
      const { seed, ...grid } = params;
      const spec = { seeds: seed === undefined ? undefined : [seed], grid: Object.entries(grid).map(([key, value]): [GridParameter, number[]] => [key as GridParameter, [value]]) };
      const [item] = planItems(base, spec, settings, true);
      // The name as the series wrote it (a seed is padded to the widest seed of its run).
      return { name, params, loaded: sceneFromFile({ ...item.loaded.scene, name }, item.loaded.origin, '/', name, item.loaded.library) };
    },
  };
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : value === undefined ? '(not set)' : String(value);
}

/** The settings a manifest written before series records existed can still tell, from its items. */
function recordFromItems(items: ManifestItem[]): Partial<SeriesRecord> | undefined {
  const done = items.find((item) => item.status === 'done' && Array.isArray(item.size));
  if (!done) return undefined;
  return { output: { size: `${done.size[0]}x${done.size[1]}`, fps: done.fps, duration: done.durationSeconds, formats: done.outputs.map((o) => o.format) } };
}

/** Each way the series in the folder differs from this one, in words. */
export function seriesDifferences(there: Partial<SeriesRecord>, here: SeriesRecord): Words[] {
  const differences: Words[] = [];
  // Only settings both know are compared: a manifest from before series records knows only some, and a later version may add settings.
  const keys = there.output ? Object.keys(here.output).filter((key) => key in there.output!) : [];
  for (const key of keys) {
    const a = there.output![key];
    const b = here.output[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    // The option that sets it, for the message.
    const setBy = optionOfSceneKey(`output.${key}`);
    differences.push(words`output.${key}${setBy ? words` (${option(setBy)})` : ''} is ${show(a)} there, ${show(b)} here`);
  }
  if (there.sceneHash !== undefined && there.sceneHash !== here.sceneHash) {
    differences.push([there.scene === here.scene ? `the scene ${here.scene} has changed since` : `it was rendered from another scene (${there.scene})`]);
  }
  return differences;
}

export type FolderMode = 'new' | 'resume' | 'replace';

/**
 * What a batch does with the series already in `folder` (described by its
 * manifest): continue it, start afresh in an empty one, or, with `force`,
 * replace a different one. A different series without `force` is refused.
 */
export function seriesFolderMode(folder: string, previous: Manifest | undefined, here: SeriesRecord, force = false): FolderMode {
  if (!previous || previous.items.length === 0) return 'new';
  const there = isRecord(previous.series) ? previous.series : recordFromItems(previous.items);
  if (!there) return 'resume';
  const differences = seriesDifferences(there, here);
  if (differences.length === 0) return 'resume';
  if (force) return 'replace';
  throw new UserError(
    words`${folder} holds another series (${previous.items.length} item${previous.items.length === 1 ? '' : 's'}): ${differences.flatMap((d, i) => (i === 0 ? d : ['; ', ...d]))}`,
    words`give another ${option('out')} for this series, or ${option('force')} to start it there in place of the other (the other's files are replaced item by item; those this series does not make stay, but leave the manifest and the contact sheet)`,
  );
}

function isRecord(value: unknown): value is SeriesRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<SeriesRecord>;
  return typeof record.sceneHash === 'string' && typeof record.output === 'object' && record.output !== null;
}

/**
 * The items a contact sheet shows: every finished item of the manifest, in
 * its order, whether this run rendered it or an earlier one did. An item
 * whose scene cannot be made again as it was rendered is left out rather
 * than drawn wrong.
 */
export function sheetItems(entries: readonly ManifestItem[], planned: readonly BatchItem[], series?: SeriesInfo): BatchItem[] {
  const byName = new Map(planned.map((item) => [item.name, item]));
  const items: BatchItem[] = [];
  for (const entry of entries) {
    if (entry.status !== 'done') continue;
    let item = byName.get(entry.name);
    if (!item && series) {
      try {
        item = series.itemFor(entry.name, entry.params ?? {});
      } catch {
        item = undefined;
      }
    }
    if (item && scenePayload(item.loaded).key === entry.sceneHash) items.push(item);
  }
  return items;
}
