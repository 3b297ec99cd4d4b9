/**
 * What the page holds: the playhead and the scene shown (PreviewState, which
 * tests and the benchmark read), and, for the scene chosen, the file as the
 * server sent it and the changes made on the page since (SceneSession). The
 * modules share one Preview and hear of changes through its events.
 */
import {
  FrameBuilder,
  sameData,
  sceneFromFile,
  type LoadedScene,
  type NetworkWeights,
  type ParameterOverrides,
  type SceneFile,
} from '../../browser/index.js';
import type { SceneEntry, SceneSource } from './protocol.js';

export interface PreviewState {
  entries: SceneEntry[];
  current: number;
  /** The scene shown: the file's, or a variation of it. */
  loaded: LoadedScene | undefined;
  builder: FrameBuilder | undefined;
  /** Seconds into the scene (what `still --at` takes). */
  time: number;
  /** +1 forwards, −1 backwards (ping-pong scenes play back and forth). */
  direction: number;
  playing: boolean;
  /** Bumped whenever a new picture reaches the canvas (tests wait on it). */
  painted: number;
  /** Bumped whenever a scene (re)load finishes, well or badly. */
  loads: number;
  error: string | undefined;
}

/** One step of the page's history: a scene shown, and how it came about. */
export interface HistoryEntry {
  scene: SceneFile;
  label: string;
}

/** The scene file being explored: as on disk, and as changed on the page. */
export class SceneSession {
  history: HistoryEntry[];
  position = 0;
  /** Values set by hand (the Adjust sliders). */
  overrides: ParameterOverrides = {};
  /** Set when the file changed on disk while the page held changes of its own. */
  changedOnDisk = false;
  /** The file's text before the last write from this page, for Undo. */
  undo: { text: string; label: string } | undefined;

  constructor(
    public source: SceneSource,
    /** The file's scene as written (paths relative, no defaults named). */
    public disk: SceneFile,
    public library: ReadonlyMap<string, NetworkWeights>,
  ) {
    this.history = [{ scene: disk, label: 'the scene as saved' }];
  }

  get working(): SceneFile {
    return this.history[this.position].scene;
  }

  get label(): string {
    return this.history[this.position].label;
  }

  /** Whether the scene shown differs from the file (a variation, or values set by hand). */
  get dirty(): boolean {
    return Object.keys(this.overrides).length > 0 || !sameData(this.working, this.disk);
  }

  /** Shows `scene` next, dropping whatever lay forward of the present. */
  push(scene: SceneFile, label: string): void {
    this.history = [...this.history.slice(0, this.position + 1), { scene, label }];
    this.position = this.history.length - 1;
    this.overrides = {};
  }

  /** After a write: the file is `scene` now, and so is what is shown. */
  saved(source: SceneSource, scene: SceneFile, label: string): void {
    this.source = source;
    this.disk = scene;
    this.push(scene, label);
    this.changedOnDisk = false;
  }

  /** The scene shown as the renderer takes it (paths resolved, weights at hand). */
  loadedScene(): LoadedScene {
    const { source } = this;
    return { ...sceneFromFile(this.working, source.file, source.folder, source.name, this.library), formatsWritten: true };
  }
}

type PreviewEvent = 'scene' | 'overrides' | 'time' | 'session';

export class Preview {
  readonly state: PreviewState = {
    entries: [],
    current: -1,
    loaded: undefined,
    builder: undefined,
    time: 0,
    direction: 1,
    playing: true,
    painted: 0,
    loads: 0,
    error: undefined,
  };
  session: SceneSession | undefined;
  private readonly listeners = new Map<PreviewEvent, Array<() => void>>();

  on(event: PreviewEvent, listener: () => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  emit(event: PreviewEvent): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }

  /** Shows the session's working scene: the model and frame builder for it, then everyone told. */
  showWorking(): void {
    const session = this.session;
    if (!session) return;
    const loaded = session.loadedScene();
    this.state.loaded = loaded;
    this.state.builder = new FrameBuilder(loaded.model, loaded.library);
    if (this.state.time > loaded.model.timeline.duration) this.state.time = 0;
    this.emit('scene');
  }
}
