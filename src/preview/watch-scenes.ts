/**
 * Watches the scene files and the weights files they use, and says which
 * scene changed. Editors save in several steps (write a temporary file,
 * rename it over the old one), so folders are watched rather than files, and
 * the events of one save are gathered into one call (debounced).
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { weightsFilesOf, type PreviewScene } from './scene-files.js';

/** Long enough to gather one save's events, short enough to feel immediate. */
const SETTLE_MS = 60;

export interface SceneWatcher {
  close(): void;
}

export function watchScenes(scenes: readonly PreviewScene[], onChange: (scene: PreviewScene) => void): SceneWatcher {
  const watchers = new Map<string, FSWatcher>();
  const timers = new Map<number, NodeJS.Timeout>();
  let dependencies = new Map<number, Set<string>>();

  const refresh = (): void => {
    dependencies = new Map(scenes.map((s) => [s.id, new Set([s.path, ...weightsFilesOf(s)])]));
    const folders = new Set([...dependencies.values()].flatMap((files) => [...files].map((f) => dirname(f))));
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        watchers.set(folder, watch(folder, (_event, name) => name && changed(join(folder, name.toString()))));
      } catch {
        // A weights folder that does not exist yet: the scene shows the error; saving the scene watches again.
      }
    }
  };

  const changed = (path: string): void => {
    for (const scene of scenes) {
      if (!dependencies.get(scene.id)?.has(path)) continue;
      clearTimeout(timers.get(scene.id));
      timers.set(
        scene.id,
        setTimeout(() => {
          timers.delete(scene.id);
          refresh();
          onChange(scene);
        }, SETTLE_MS),
      );
    }
  };

  refresh();
  return {
    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
    },
  };
}
