/**
 * The explore panel: eight variations of the scene shown, bred by the
 * library's `breed` (the same function as `cppn-motion explore`) and drawn
 * small at the current moment around the scene itself; a click shows one,
 * playing; "More like this" breeds from the scene shown; back and forward
 * walk the history of scenes shown.
 */
import { breed, commandLine, FrameBuilder, sameData, sceneFromFile, type SceneFile, type Variation } from '../../browser/index.js';
import { ui } from './dom.js';
import type { Playback } from './playback.js';
import type { Preview } from './session.js';
import { createTilePainter, type TilePainter } from './tile-painter.js';

/** The longer side of a variation's picture (drawn smaller on screen; sharp on dense screens). */
const TILE_SIDE = 256;
/** Where the scene shown sits among its variations: the middle of the 3×3 grid. */
const CENTRE = 4;
const COUNT = 8;
/** How long the playhead must rest before the variations are drawn again at the new moment. */
const SETTLE_MS = 250;

interface Tile {
  button: HTMLButtonElement;
  canvas: HTMLCanvasElement;
  label: HTMLElement;
  variation: Variation | undefined;
}

export interface ExploreState {
  variations: Array<{ operator: string; label: string }>;
  /** The breed's seed: `cppn-motion explore --seed` with it gives the same variations. */
  seed: number;
  strength: number;
  /** Bumped each time every tile of a breed has been drawn. */
  drawn: number;
  /** Milliseconds from asking for a breed to all its tiles drawn, the last time. */
  drawMs: number;
  /** Seconds into the scene the tiles show. */
  time: number;
}

export class ExplorePanel {
  readonly state: ExploreState = { variations: [], seed: 0, strength: 0.3, drawn: 0, drawMs: 0, time: 0 };
  private tiles: Tile[] = [];
  private painter: TilePainter | undefined;
  private generation = 0;
  private bredFrom: SceneFile | undefined;
  private drawnAt = -1;
  private movedAt = 0;

  constructor(
    private readonly preview: Preview,
    private readonly playback: Playback,
    params: URLSearchParams,
  ) {
    const seed = Number(params.get('explore-seed'));
    this.state.seed = Number.isSafeInteger(seed) && seed !== 0 ? seed : 1 + Math.floor(Math.random() * 999_999);
    this.state.strength = Number(ui.strength.value);
    preview.on('session', () => this.showHistory());
    preview.on('scene', () => {
      this.showHistory();
      this.markShown();
      this.showInfo();
      if (this.visible && this.bredFrom) void this.draw();
    });
    preview.on('time', () => (this.movedAt = performance.now()));
  }

  get visible(): boolean {
    return !ui.panels.explore.hidden;
  }

  bind(): void {
    this.tiles = Array.from({ length: COUNT + 1 }, (_, i) => {
      const button = document.createElement('button');
      button.className = 'tile';
      button.setAttribute('role', 'listitem');
      button.dataset.index = String(i);
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 1;
      const label = document.createElement('span');
      label.className = 'tile-label';
      button.append(canvas, label);
      button.addEventListener('click', () => this.pick(i));
      return { button, canvas, label, variation: undefined };
    });
    this.tiles[CENTRE].button.classList.add('current');
    this.tiles[CENTRE].button.title = 'The scene shown now';
    ui.tiles.replaceChildren(...this.tiles.map((t) => t.button));
    ui.breed.addEventListener('click', () => this.breed(true));
    ui.strength.addEventListener('input', () => (ui.strengthValue.value = Number(ui.strength.value).toFixed(2)));
    ui.strength.addEventListener('change', () => {
      this.state.strength = Number(ui.strength.value);
      this.breed(false);
    });
    ui.historyBack.addEventListener('click', () => this.walk(-1));
    ui.historyForward.addEventListener('click', () => this.walk(1));
    ui.strengthValue.value = this.state.strength.toFixed(2);
  }

  /** Called when the panel opens: breeds the first time, else catches up with the scene shown. */
  opened(): void {
    if (!this.preview.session) return;
    if (!this.bredFrom) this.breed(false);
    else void this.draw();
  }

  /** Breeds from the scene shown; `fresh` draws a new seed ("More like this"). */
  breed(fresh: boolean): void {
    const session = this.preview.session;
    if (!session) return;
    const started = performance.now();
    if (fresh) this.state.seed = 1 + Math.floor(Math.random() * 999_999);
    this.bredFrom = session.working;
    let variations: Variation[] = [];
    try {
      variations = breed(session.working, { count: COUNT, strength: this.state.strength, seed: this.state.seed });
    } catch (error) {
      ui.breedInfo.textContent = (error as Error).message;
    }
    this.state.variations = variations.map(({ operator, label }) => ({ operator, label }));
    const others = this.tiles.filter((_, i) => i !== CENTRE);
    others.forEach((tile, i) => {
      tile.variation = variations[i];
      tile.button.hidden = !tile.variation;
      tile.label.textContent = tile.variation?.label ?? '';
      tile.button.title = tile.variation ? `${tile.variation.label}: click to show it` : '';
      tile.button.setAttribute('aria-label', tile.variation?.label ?? '');
    });
    this.markShown();
    this.showInfo();
    void this.draw(started);
  }

  private showInfo(): void {
    const session = this.preview.session;
    if (!session) return;
    const command = `npx ${commandLine('explore', session.source.file, ['variationSeed', this.state.seed], ['strength', this.state.strength], ['at', this.preview.state.time.toFixed(2)])}`;
    const fromFile = this.bredFrom && sameData(this.bredFrom, session.disk);
    ui.breedInfo.replaceChildren(
      document.createTextNode(`Seed ${this.state.seed} · strength ${this.state.strength.toFixed(2)}. `),
      ...(fromFile ? [document.createTextNode('The same variations as files: '), Object.assign(document.createElement('code'), { textContent: command })] : [document.createTextNode('Keep a variation to write it into the file.')]),
    );
  }

  /** Draws every tile at the current moment (a newer call supersedes an older one). */
  async draw(started = performance.now()): Promise<void> {
    const { state, session } = this.preview;
    if (!session || !state.loaded) return;
    const generation = ++this.generation;
    this.painter ??= createTilePainter(this.playback.gpu !== undefined || new URLSearchParams(location.search).get('renderer') === 'gpu');
    const time = state.time;
    this.drawnAt = time;
    // Every picture at the same point of the keyframes' trajectory: a scene paced evenly would
    // otherwise measure its pacing for each variation first, which delays every tile.
    const trajectoryTime = state.builder!.trajectoryTime(time);
    for (const tile of this.tiles) tile.button.classList.add('pending');
    const centre = this.tiles[CENTRE];
    centre.label.textContent = `shown: ${session.label}`;
    const jobs: Array<{ tile: Tile; scene: SceneFile; overrides?: typeof session.overrides }> = [
      { tile: centre, scene: session.working, overrides: session.overrides },
      ...this.tiles.filter((t) => t.variation).map((tile) => ({ tile, scene: tile.variation!.scene })),
    ];
    for (const { tile, scene, overrides } of jobs) {
      if (generation !== this.generation) return;
      try {
        const loaded = sceneFromFile(scene, session.source.file, session.source.folder, session.source.name, session.library);
        const [width, height] = this.playback.previewSize(loaded, String(TILE_SIDE));
        const at = Math.min(trajectoryTime, loaded.model.timeline.duration);
        const frame = { ...new FrameBuilder(loaded.model, loaded.library).unpacedAt(at, undefined, overrides), width, height };
        await this.painter.paint(frame, tile.canvas);
      } catch (error) {
        tile.label.textContent = `cannot be drawn: ${(error as Error).message}`;
      }
      tile.button.classList.remove('pending');
      // Room for the page between pictures: clicks and the playing picture go on while tiles draw.
      await new Promise((done) => setTimeout(done, 0));
    }
    if (generation !== this.generation) return;
    this.state.time = time;
    this.state.drawMs = performance.now() - started;
    this.state.drawn++;
  }

  /** Shows variation `index` (a click on its tile). */
  private pick(index: number): void {
    const session = this.preview.session;
    const variation = this.tiles[index].variation;
    if (!session || index === CENTRE || !variation) return;
    session.push(variation.scene, variation.label);
    this.preview.showWorking();
    this.preview.emit('overrides');
    this.playback.paint();
    this.playback.setPlaying(true);
  }

  private walk(step: number): void {
    const session = this.preview.session;
    if (!session) return;
    const position = session.position + step;
    if (position < 0 || position >= session.history.length) return;
    session.position = position;
    session.overrides = {};
    this.preview.showWorking();
    this.preview.emit('overrides');
    this.playback.paint();
  }

  /** Alt ← and Alt → walk the history, as do Ctrl-Z and Ctrl-Shift-Z; b breeds. */
  key(event: KeyboardEvent): boolean {
    if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      this.walk(event.key === 'ArrowLeft' ? -1 : 1);
      return true;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      this.walk(event.shiftKey ? 1 : -1);
      return true;
    }
    if (event.key === 'b' && !event.metaKey && !event.ctrlKey && !event.altKey) {
      if (!this.visible) return false;
      this.breed(true);
      return true;
    }
    return false;
  }

  private markShown(): void {
    const session = this.preview.session;
    for (const tile of this.tiles) tile.button.classList.toggle('shown', !!session && !!tile.variation && tile.variation.scene === session.working);
  }

  private showHistory(): void {
    const session = this.preview.session;
    ui.historyBack.disabled = !session || session.position === 0;
    ui.historyForward.disabled = !session || session.position >= session.history.length - 1;
    ui.historyLabel.textContent = session ? `${session.position + 1} / ${session.history.length}` : '';
    ui.historyLabel.title = session ? session.history.map((h, i) => `${i === session.position ? '▸ ' : '  '}${h.label}`).join('\n') : '';
  }

  /** Once a tick: the tiles follow the playhead once it rests. */
  tick(now: number): void {
    if (!this.visible || !this.bredFrom || this.preview.state.playing) return;
    if (this.preview.state.time !== this.drawnAt && now - this.movedAt > SETTLE_MS) void this.draw();
  }

  /** A variation's pixels (RGBA rows from the top, base64), for tests. */
  tilePixels(index: number): string {
    const canvas = this.tiles.filter((_, i) => i !== CENTRE)[index].canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(binary);
  }
}
