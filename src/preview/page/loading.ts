/**
 * Loading: the scene list, choosing a scene, loading it from the server (and
 * again when its file is saved), showing its problems over the last good
 * picture, its keyframe marks and warnings, and `inspect`'s measures of the
 * frame shown. A file saved elsewhere while the page holds changes of its
 * own is not reloaded over them: the keep bar says so and offers to reload.
 */
import { formatProblem, keyframeSeconds, SceneError } from '../../browser/index.js';
import { ui } from './dom.js';
import type { Playback } from './playback.js';
import { API, type SceneChanged, type SceneEntry, type SceneMeasures, type SceneSource } from './protocol.js';
import { fetchJson, loadSceneFromServer, type SceneFromServer } from './scene-loader.js';
import { SceneSession, type Preview } from './session.js';

/**
 * `inspect`'s measures cost the server float64 arithmetic over a whole
 * frame, too much to repeat for every frame of a playing loop: they are
 * asked for once the picture has held still for this long.
 */
const SETTLE_BEFORE_MEASURING_MS = 400;

export class Loading {
  private measuring = false;
  private stillSince = performance.now();
  private measuredKey = '';

  constructor(
    private readonly preview: Preview,
    private readonly playback: Playback,
    private readonly params: URLSearchParams,
  ) {
    preview.on('scene', () => this.describeScene());
    preview.on('time', () => (this.stillSince = performance.now()));
    preview.on('overrides', () => (this.stillSince = performance.now()));
  }

  async listScenes(): Promise<void> {
    const { state } = this.preview;
    state.entries = await fetchJson<SceneEntry[]>(API.scenes);
    ui.scenes.replaceChildren(
      ...state.entries.map((entry) => {
        const button = document.createElement('button');
        button.textContent = entry.name;
        button.title = entry.file;
        button.dataset.id = String(entry.id);
        button.addEventListener('click', () => this.selectScene(entry.id));
        return button;
      }),
    );
    if (state.entries.length < 2) ui.scenes.hidden = true;
  }

  selectScene(id: number): void {
    const { state } = this.preview;
    if (id === state.current) return;
    state.current = id;
    for (const button of ui.scenes.querySelectorAll<HTMLButtonElement>('button')) {
      const current = Number(button.dataset.id) === id;
      button.classList.toggle('current', current);
      if (current) button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    const entry = state.entries.find((e) => e.id === id);
    const query = new URLSearchParams(location.search);
    query.set('scene', entry?.name ?? String(id));
    history.replaceState(null, '', `?${query}`);
    this.preview.session = undefined;
    void this.load(false);
  }

  /** Loads the current scene from the server; `keepTime` when the same scene is loaded again; `renew` drops the page's changes and history. */
  async load(keepTime: boolean, renew = false): Promise<void> {
    const { state } = this.preview;
    const id = state.current;
    try {
      const fresh = await loadSceneFromServer(id);
      if (id !== state.current) return;
      const [time] = [state.time];
      this.adopt(fresh, renew);
      if (!keepTime) state.time = 0;
      else state.time = Math.min(time, fresh.loaded.model.timeline.duration);
      if (!keepTime && !this.playback.resolutionPicked) ui.resolution.value = this.playback.affordableResolution(fresh.loaded);
      this.clearProblems();
      this.preview.showWorking();
      this.playback.paint();
    } catch (error) {
      if (id !== state.current) return;
      if (!keepTime) {
        // Another scene's last picture would mislead: clear it.
        state.loaded = undefined;
        state.builder = undefined;
        this.preview.session = undefined;
      }
      this.showProblems(error);
    } finally {
      state.loads++;
      this.playback.updateClock();
    }
  }

  /** Takes a scene read from the server as the session's file. */
  private adopt(fresh: SceneFromServer, renew: boolean): void {
    const session = this.preview.session;
    if (!renew && session && session.source.id === fresh.source.id && session.source.version === fresh.source.version) {
      // The same text (the page's own write, or a weights file saved): the history stands, the weights are new.
      session.source = fresh.source;
      session.library = fresh.library;
      return;
    }
    this.preview.session = new SceneSession(fresh.source, fresh.written, fresh.library);
    this.preview.emit('session');
  }

  /** A scene file, or a file it uses, was saved. */
  private async changedOnDisk(): Promise<void> {
    const session = this.preview.session;
    if (!session?.dirty) return this.load(true);
    // Changes on the page: never reloaded over; the keep bar offers to reload.
    try {
      const source = await fetchJson<SceneSource>(API.scene(session.source.id));
      if (source.version === session.source.version || this.preview.session !== session) return;
      session.changedOnDisk = true;
      this.preview.emit('session');
    } catch {
      // The server is gone or the file unreadable: the next write will say so.
    }
  }

  listen(): void {
    const events = new EventSource(API.events);
    events.addEventListener('change', (event) => {
      const changed = JSON.parse((event as MessageEvent<string>).data) as SceneChanged;
      if (changed.id === this.preview.state.current) void this.changedOnDisk();
    });
  }

  showProblems(error: unknown): void {
    const { state } = this.preview;
    const text = error instanceof SceneError ? error.problems.map(formatProblem).join('\n') : (error as Error).message + ((error as { hint?: string }).hint ? `\nhint: ${(error as { hint?: string }).hint}` : '');
    state.error = text;
    ui.overlayTitle.textContent = error instanceof SceneError ? 'This scene does not validate' : 'This scene cannot be shown';
    ui.overlayText.textContent = text;
    ui.overlay.hidden = false;
    ui.scenes.querySelector(`[data-id="${state.current}"]`)?.classList.add('broken');
    this.preview.emit('session');
  }

  private clearProblems(): void {
    const { state } = this.preview;
    state.error = undefined;
    ui.overlay.hidden = true;
    ui.scenes.querySelector(`[data-id="${state.current}"]`)?.classList.remove('broken');
  }

  private describeScene(): void {
    const { loaded } = this.preview.state;
    if (!loaded) return;
    const { model } = loaded;
    const disk = this.preview.session?.disk.keyframes ?? [];
    ui.sceneName.textContent = model.name;
    ui.marks.replaceChildren(
      ...loaded.scene.keyframes.map((k) => {
        const mark = document.createElement('span');
        const seconds = keyframeSeconds(k, model.timeline.fps);
        mark.style.left = `${(100 * seconds) / model.timeline.duration}%`;
        mark.title = `keyframe at ${seconds} s`;
        mark.dataset.at = String(seconds);
        // A keyframe the file does not have (yet): the scene shown is a variation.
        if (!disk.some((d) => Math.abs(keyframeSeconds(d, model.timeline.fps) - seconds) < 1e-9)) mark.classList.add('changed');
        return mark;
      }),
    );
    ui.scrubber.max = String(model.timeline.duration);
    this.measuredKey = '';
    this.showWarnings(undefined);
  }

  private showWarnings(greyGoo: string | undefined): void {
    const lines = [...(this.preview.state.loaded?.warnings ?? []), ...(greyGoo ? [greyGoo] : [])];
    ui.warnings.replaceChildren(
      ...lines.map((line) => {
        const p = document.createElement('p');
        p.textContent = line;
        return p;
      }),
    );
  }

  /** Asks the server for `inspect`'s measures of the frame shown, once the picture has held still for a moment. */
  async measure(now: number): Promise<void> {
    const { state, session } = this.preview;
    if (state.playing) {
      if (state.loaded && !state.error) ui.stats.textContent = 'Pause to measure the frame shown.';
      this.stillSince = now;
      return;
    }
    if (session?.dirty) {
      ui.stats.textContent = 'The statistics measure the scene as saved: Keep the changes to measure them.';
      return;
    }
    if (this.measuring || !state.loaded || state.error || now - this.stillSince < SETTLE_BEFORE_MEASURING_MS) return;
    const at = Number(state.time.toFixed(3));
    const [width, height] = this.playback.previewSize(state.loaded);
    const key = `${state.current}/${state.loads}/${session?.source.version}/${at}/${width}x${height}`;
    if (key === this.measuredKey) return;
    this.measuring = true;
    try {
      const measures = await fetchJson<SceneMeasures>(API.measures(state.current, at, width, height));
      this.measuredKey = key;
      ui.network.textContent = measures.network;
      ui.stats.textContent = measures.error ?? measures.stats;
      this.showWarnings(measures.greyGoo);
    } catch {
      // The numbers are a help, not the picture: try again on the next tick.
    } finally {
      this.measuring = false;
    }
  }

  /** The scene the address asks for (`?scene=name`), else the first. */
  firstScene(): SceneEntry | undefined {
    const { entries } = this.preview.state;
    const wanted = this.params.get('scene');
    return entries.find((e) => e.name === wanted) ?? entries[0];
  }
}
