/**
 * manifest.json: what a series folder holds. For every item its parameters,
 * the hash of its complete scene, its outputs with their sizes, frame count,
 * duration and render time; written after every item, so an interrupted batch
 * knows where to continue.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import type { SeriesRecord } from './series-folder.js';

export interface ManifestOutput {
  format: string;
  /** Relative to the series folder. */
  file: string;
  bytes: number;
}

export interface ManifestItem {
  name: string;
  params: Record<string, number>;
  sceneHash: string;
  status: 'done' | 'failed';
  outputs: ManifestOutput[];
  frames: number;
  durationSeconds: number;
  fps: number;
  size: [number, number];
  renderSeconds: number;
  finishedAt: string;
  error?: string;
}

export interface Manifest {
  tool: { name: string; version: string };
  scene: string;
  /** What the series is (scene and output settings): a batch into the folder continues it only when its own is the same. */
  series?: SeriesRecord;
  updatedAt: string;
  items: ManifestItem[];
}

export const MANIFEST_FILE = 'manifest.json';

function wellFormed(item: unknown): item is ManifestItem {
  if (typeof item !== 'object' || item === null) return false;
  const entry = item as Partial<ManifestItem>;
  return (
    typeof entry.name === 'string' &&
    typeof entry.sceneHash === 'string' &&
    (entry.status === 'done' || entry.status === 'failed') &&
    Array.isArray(entry.outputs) &&
    entry.outputs.every((o) => typeof o === 'object' && o !== null && typeof o.file === 'string' && typeof o.format === 'string' && typeof o.bytes === 'number')
  );
}

export function readManifest(folder: string): Manifest | undefined {
  const path = join(folder, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Manifest | null;
    if (typeof data !== 'object' || data === null || !Array.isArray(data.items)) return undefined;
    // A damaged entry (edited by hand, cut short) only means that item renders again.
    return { ...data, items: data.items.filter(wellFormed) };
  } catch {
    // A damaged manifest only means nothing can be skipped.
    return undefined;
  }
}

export function writeManifest(folder: string, manifest: Manifest): void {
  writeFileAtomic(join(folder, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Why an item must be rendered again, or undefined when its outputs are complete and current. */
export function staleReason(folder: string, entry: ManifestItem | undefined, sceneHash: string): string | undefined {
  if (!entry) return 'new';
  if (entry.status !== 'done') return 'failed before';
  if (entry.sceneHash !== sceneHash) return 'scene or parameters changed';
  for (const output of entry.outputs) {
    const path = join(folder, output.file);
    if (!existsSync(path)) return `${output.file} is missing`;
    // A folder of PNG frames has no single size to compare.
    if (output.format !== 'png' && statSync(path).size !== output.bytes) return `${output.file} changed`;
  }
  return undefined;
}
