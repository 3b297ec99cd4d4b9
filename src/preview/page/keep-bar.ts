/**
 * The keep bar: what the scene shown changes from the file, and writing it
 * in. Keep writes the scene shown; Keyframe here adds or updates a keyframe
 * at the playhead with what differs there (both pure library functions, the
 * text edited by the library so comments and formatting stay). The server
 * refuses a write over a file changed on disk since the page loaded it; the
 * bar says so and offers to reload, and nothing on either side is lost.
 * Undo writes back the text the last write replaced.
 */
import {
  formatProblem,
  keepScene,
  keyframeHere,
  keyframeTime,
  parseSceneText,
  rewriteSceneText,
  SceneError,
  validateSceneData,
  type ParameterOverrides,
  type SceneFile,
} from '../../browser/index.js';
import { ui } from './dom.js';
import type { Loading } from './loading.js';
import type { Playback } from './playback.js';
import { writeSceneToServer, type WriteResult } from './scene-loader.js';
import type { Preview } from './session.js';

function describeOverrides(overrides: ParameterOverrides): string[] {
  return Object.entries(overrides).map(([name, value]) => `${name} ${Array.isArray(value) ? `[${value.map((v: number) => Number(v.toFixed(3))).join(', ')}]` : Number((value as number).toFixed(3))}`);
}

export class KeepBar {
  /** Bumped after every write the server took (tests wait on it). */
  writes = 0;
  private busy = false;

  constructor(
    private readonly preview: Preview,
    private readonly playback: Playback,
    private readonly loading: Loading,
  ) {
    for (const event of ['scene', 'overrides', 'session'] as const) preview.on(event, () => this.show());
  }

  bind(): void {
    ui.keep.addEventListener('click', () => void this.keep());
    ui.keyframe.addEventListener('click', () => void this.keyframeHere());
    ui.revert.addEventListener('click', () => this.revert());
  }

  private show(): void {
    const { session, state } = this.preview;
    const dirty = !!session?.dirty;
    const parts = session && dirty ? [...(session.label !== 'the scene as saved' && session.position > 0 ? [session.label] : []), ...describeOverrides(session.overrides)] : [];
    ui.changes.textContent = !session ? '' : dirty ? `Changed: ${parts.join(' · ') || 'a variation'}` : 'No changes: the scene as saved.';
    ui.changes.title = ui.changes.textContent;
    ui.changes.classList.toggle('dirty', dirty);
    ui.frame.classList.toggle('changed', dirty);
    const writable = !!session?.source.writable;
    const can = dirty && writable && !this.busy && !state.error;
    ui.keep.disabled = !can;
    ui.keyframe.disabled = !can;
    ui.revert.disabled = !dirty || this.busy;
    ui.keyframe.textContent = `Keyframe at ${state.time.toFixed(2)} s`;
    if (session?.changedOnDisk) {
      this.say('bad', `${session.source.file} changed on disk while this page held changes. Keep would be refused; reload to see the file as it is (the changes here are dropped).`, true);
    } else if (dirty && session && !writable) {
      this.say('bad', 'This page can only read: open the address `cppn-motion preview` printed (it carries this run\'s key) to keep changes.');
    } else if (ui.status.dataset.kind === 'bad' && !this.busy && !session?.changedOnDisk) {
      this.say('', '');
    }
  }

  /** Keyframe here's label follows the playhead. */
  tick(): void {
    const text = `Keyframe at ${this.preview.state.time.toFixed(2)} s`;
    if (ui.keyframe.textContent !== text) ui.keyframe.textContent = text;
  }

  private say(kind: '' | 'good' | 'bad', message: string, reload = false, undo = false): void {
    ui.status.dataset.kind = kind;
    ui.status.className = `small ${kind}`;
    ui.status.replaceChildren(document.createTextNode(message));
    if (reload) {
      const button = Object.assign(document.createElement('button'), { className: 'ghost', textContent: 'Reload from disk', id: 'reload' });
      button.addEventListener('click', () => this.reload());
      ui.status.append(button);
    }
    if (undo) {
      const button = Object.assign(document.createElement('button'), { className: 'ghost', textContent: 'Undo', id: 'undo', title: 'Write back the file as it was before' });
      button.addEventListener('click', () => void this.undo());
      ui.status.append(button);
    }
  }

  /** The playhead's moment on the keyframes' own clock (they differ with `pacing: even`). */
  private trajectoryTime(): number {
    const { state } = this.preview;
    return state.builder ? state.builder.trajectoryTime(state.time) : state.time;
  }

  async keep(): Promise<void> {
    const session = this.preview.session;
    if (!session) return;
    await this.write(() => keepScene(session.working, session.overrides, keyframeTime(this.trajectoryTime())), `kept ${session.label}`, 'Kept');
  }

  async keyframeHere(): Promise<void> {
    const session = this.preview.session;
    if (!session) return;
    // The keyframe lands on a millisecond: the playhead goes there first, so the page shows what is written.
    this.playback.setPlaying(false);
    this.playback.seek(keyframeTime(this.preview.state.time));
    const time = keyframeTime(this.trajectoryTime());
    await this.write(() => keyframeHere(session.disk, session.working, session.overrides, time), `keyframe at ${time} s`, `Keyframe at ${time} s written`);
  }

  private revert(): void {
    const session = this.preview.session;
    if (!session) return;
    session.push(session.disk, 'the scene as saved');
    this.preview.showWorking();
    this.preview.emit('overrides');
    this.playback.paint();
    this.say('', '');
  }

  private reload(): void {
    this.say('', '');
    void this.loading.load(true, true);
  }

  async undo(): Promise<void> {
    const session = this.preview.session;
    if (!session?.undo) return;
    const { text, label } = session.undo;
    await this.write(() => validateSceneData(parseSceneText(text, session.source.file).data), `undid ${label}`, 'Undone', text);
  }

  /** Writes the scene `make` gives (its text from the file's own), over the version loaded. */
  private async write(make: () => SceneFile, label: string, done: string, exactText?: string): Promise<void> {
    const session = this.preview.session;
    if (!session || this.busy) return;
    let scene: SceneFile;
    let text: string;
    try {
      scene = make();
      text = exactText ?? rewriteSceneText(session.source.text, scene, session.source.file);
    } catch (error) {
      const message = error instanceof SceneError ? error.problems.map(formatProblem).join('\n') : `${(error as Error).message}${(error as { hint?: string }).hint ? ` (${(error as { hint?: string }).hint})` : ''}`;
      this.say('bad', `Not written: ${message}`);
      return;
    }
    this.busy = true;
    this.show();
    const before = session.source.text;
    let result: WriteResult;
    try {
      result = await writeSceneToServer(session.source.id, { text, version: session.source.version });
    } catch (error) {
      // An answer the page cannot read: said, and the bar usable again (the finally below).
      result = { ok: false, status: 0, error: `Not written: ${(error as Error).message}` };
    } finally {
      this.busy = false;
    }
    if (this.preview.session !== session) return;
    if (!result.ok) {
      if (result.status === 409) session.changedOnDisk = true;
      this.show();
      this.say('bad', result.error, result.status === 409);
      return;
    }
    session.undo = exactText === undefined ? { text: before, label } : undefined;
    session.saved({ ...session.source, text, version: result.version }, scene, label);
    this.writes++;
    this.preview.showWorking();
    this.preview.emit('overrides');
    this.playback.paint();
    this.say('good', `${done} in ${session.source.file}.`, false, session.undo !== undefined);
  }
}
