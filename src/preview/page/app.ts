/**
 * The preview page: plays a scene's loop in real time, on the GPU where the
 * browser offers WebGL2 and with the CPU kernel in a Web Worker where not.
 * Saving the scene file reloads it in place (same time); a scene that does not
 * validate shows its located problems over the last good picture.
 */
import {
  FrameBuilder,
  formatProblem,
  multiplyAddsPerPixel,
  keyframeSeconds,
  overrideScene,
  SceneError,
  validateSceneData,
  type FrameDescription,
  type LoadedScene,
} from '../../browser/index.js';
import { GpuPainter } from './gpu-painter.js';
import { CpuPainter } from './cpu-painter.js';
import { withPngText, METADATA_KEYWORD } from './png-text.js';
import { API, type SceneChanged, type SceneEntry, type SceneMeasures } from './protocol.js';
import { fetchJson, loadSceneFromServer } from './scene-loader.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const ui = {
  scenes: $('scenes'),
  renderer: $('renderer'),
  gpuCanvas: $<HTMLCanvasElement>('gpu-canvas'),
  cpuCanvas: $<HTMLCanvasElement>('cpu-canvas'),
  overlay: $('overlay'),
  overlayTitle: $('overlay-title'),
  overlayText: $('overlay-text'),
  notice: $('notice'),
  play: $<HTMLButtonElement>('play'),
  marks: $('marks'),
  scrubber: $<HTMLInputElement>('scrubber'),
  clock: $('clock'),
  loop: $<HTMLInputElement>('loop'),
  resolution: $<HTMLSelectElement>('resolution'),
  size: $('size'),
  fps: $('fps'),
  sceneName: $('scene-name'),
  network: $('network'),
  warnings: $('warnings'),
  save: $<HTMLButtonElement>('save'),
  commands: $('commands'),
  stats: $('stats'),
};

interface Painter {
  readonly canvas: HTMLCanvasElement;
  paint(frame: FrameDescription): void;
  readPixels(): Uint8Array;
}

/** What is on screen and where the playhead is. */
const state = {
  entries: [] as SceneEntry[],
  current: -1,
  loaded: undefined as LoadedScene | undefined,
  builder: undefined as FrameBuilder | undefined,
  /** Seconds into the scene (what `still --at` takes). */
  time: 0,
  /** +1 forwards, −1 backwards (ping-pong scenes play back and forth). */
  direction: 1,
  playing: true,
  /** Bumped whenever a new picture reaches the canvas (tests wait on it). */
  painted: 0,
  /** Bumped whenever a scene (re)load finishes, well or badly. */
  loads: 0,
  error: undefined as string | undefined,
};

const params = new URLSearchParams(location.search);
let painter: Painter;
let gpu: GpuPainter | undefined;

function choosePainter(): void {
  const forced = params.get('renderer');
  const attempt = forced === 'cpu' ? { reason: 'the CPU renderer was asked for' } : GpuPainter.create(ui.gpuCanvas);
  // Software WebGL (SwiftShader, llvmpipe) runs the shader on the CPU several times slower than
  // the WebAssembly kernel does (measured by bench:preview), so it counts as no GPU unless asked for.
  const software = 'painter' in attempt && forced !== 'gpu' && /swiftshader|llvmpipe|software/i.test(attempt.painter.renderer);
  if ('painter' in attempt && !software) {
    gpu = attempt.painter;
    painter = { canvas: ui.gpuCanvas, paint: (f) => gpu!.paint(f), readPixels: () => gpu!.readPixels() };
    ui.renderer.textContent = `GPU · WebGL2 · ${gpu.renderer}`;
    return;
  }
  ui.gpuCanvas.hidden = true;
  ui.cpuCanvas.hidden = false;
  const cpu = new CpuPainter(ui.cpuCanvas);
  cpu.onPainted = () => {
    state.painted++;
    countFrame();
  };
  painter = cpu;
  ui.renderer.textContent = 'CPU · WebAssembly in a worker';
  if (software) {
    ui.notice.hidden = false;
    ui.notice.textContent = 'WebGL2 here is software rendering, slower than the CPU kernel, so frames are rendered on the CPU (add ?renderer=gpu to the address to use WebGL2 anyway).';
  } else if ('reason' in attempt && forced !== 'cpu') {
    ui.notice.hidden = false;
    ui.notice.textContent = `The GPU path cannot run here (${attempt.reason}), so frames are rendered on the CPU: the same pixels, fewer frames per second.`;
  }
}

// ---- sizes and time ------------------------------------------------------

/** The preview's frame size: the scene's aspect ratio, its longer side as picked (never above full size). */
function previewSize(loaded: LoadedScene): [number, number] {
  const { width, height } = loaded.model;
  const pick = ui.resolution.value;
  if (pick === 'full') return [width, height];
  const long = Math.min(Number(pick), Math.max(width, height));
  const scale = long / Math.max(width, height);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Multiply-adds one frame may take at the resolution chosen for the user (they may pick more). */
const FRAME_BUDGET = 4e9;
let resolutionPicked = false;

/**
 * 512 unless the network is so wide that a frame would take seconds on
 * software GL (and the browser might give up on it): then 256 or 128.
 */
function affordableResolution(loaded: LoadedScene): string {
  const perPixel = multiplyAddsPerPixel(loaded.model.shape);
  const aspect = Math.min(loaded.model.width, loaded.model.height) / Math.max(loaded.model.width, loaded.model.height);
  return ['512', '256', '128'].find((side) => Number(side) ** 2 * aspect * perPixel <= FRAME_BUDGET) ?? '128';
}

function duration(): number {
  return state.loaded?.model.timeline.duration ?? 1;
}

function frameNumber(time: number): number {
  const timeline = state.loaded!.model.timeline;
  return Math.min(timeline.frameCount - 1, Math.floor(time * timeline.fps + 1e-6));
}

// ---- painting --------------------------------------------------------------

function currentFrame(): FrameDescription | undefined {
  if (!state.loaded || !state.builder) return undefined;
  const [width, height] = previewSize(state.loaded);
  return { ...state.builder.atTime(state.time), width, height };
}

function paint(): void {
  const frame = currentFrame();
  if (!frame) return;
  painter.paint(frame);
  if (gpu) {
    state.painted++;
    countFrame();
  }
  ui.size.textContent = `${frame.width}×${frame.height}`;
}

let frameTimes: number[] = [];
function countFrame(): void {
  const now = performance.now();
  frameTimes.push(now);
  frameTimes = frameTimes.filter((t) => now - t < 1000);
}

// ---- the scene -------------------------------------------------------------

function showProblems(error: unknown): void {
  const text = error instanceof SceneError ? error.problems.map(formatProblem).join('\n') : (error as Error).message + ((error as { hint?: string }).hint ? `\nhint: ${(error as { hint?: string }).hint}` : '');
  state.error = text;
  ui.overlayTitle.textContent = error instanceof SceneError ? 'This scene does not validate' : 'This scene cannot be shown';
  ui.overlayText.textContent = text;
  ui.overlay.hidden = false;
  ui.scenes.querySelector(`[data-id="${state.current}"]`)?.classList.add('broken');
}

function clearProblems(): void {
  state.error = undefined;
  ui.overlay.hidden = true;
  ui.scenes.querySelector(`[data-id="${state.current}"]`)?.classList.remove('broken');
}

async function loadCurrent(keepTime: boolean): Promise<void> {
  const id = state.current;
  try {
    const loaded = await loadSceneFromServer(id);
    if (id !== state.current) return;
    state.loaded = loaded;
    state.builder = new FrameBuilder(loaded.model, loaded.library);
    if (!keepTime || state.time > loaded.model.timeline.duration) state.time = 0;
    if (!keepTime && !resolutionPicked) ui.resolution.value = affordableResolution(loaded);
    clearProblems();
    describeScene(loaded);
    paint();
  } catch (error) {
    if (id !== state.current) return;
    if (!keepTime) {
      // Another scene's last picture would mislead: clear it.
      state.loaded = undefined;
      state.builder = undefined;
    }
    showProblems(error);
  } finally {
    state.loads++;
    updateClock();
  }
}

function describeScene(loaded: LoadedScene): void {
  const { model } = loaded;
  ui.sceneName.textContent = model.name;
  savedAs = undefined;
  ui.marks.replaceChildren(
    ...loaded.scene.keyframes.map((k) => {
      const mark = document.createElement('span');
      const seconds = keyframeSeconds(k, model.timeline.fps);
      mark.style.left = `${(100 * seconds) / model.timeline.duration}%`;
      mark.title = `keyframe at ${seconds} s`;
      return mark;
    }),
  );
  ui.scrubber.max = String(model.timeline.duration);
  showWarnings(undefined);
}

function showWarnings(greyGoo: string | undefined): void {
  const lines = [...(state.loaded?.warnings ?? []), ...(greyGoo ? [greyGoo] : [])];
  ui.warnings.replaceChildren(
    ...lines.map((line) => {
      const p = document.createElement('p');
      p.textContent = line;
      return p;
    }),
  );
}

/**
 * Asks the server for `inspect`'s measures of the frame shown, once the
 * picture has held still for a moment: they take the server a few hundred
 * milliseconds of float64 arithmetic, too much to repeat for every frame of a
 * playing loop.
 */
const SETTLE_BEFORE_MEASURING_MS = 400;
let measuring = false;
let stillSince = performance.now();
let measuredKey = '';
async function measure(now: number): Promise<void> {
  if (state.playing) {
    if (state.loaded && !state.error) ui.stats.textContent = 'Pause to measure the frame shown.';
    stillSince = now;
    return;
  }
  if (measuring || !state.loaded || state.error || now - stillSince < SETTLE_BEFORE_MEASURING_MS) return;
  const at = Number(state.time.toFixed(3));
  const [width, height] = previewSize(state.loaded);
  const key = `${state.current}/${state.loads}/${at}/${width}x${height}`;
  if (key === measuredKey) return;
  measuring = true;
  try {
    const measures = await fetchJson<SceneMeasures>(API.measures(state.current, at, width, height));
    measuredKey = key;
    ui.network.textContent = measures.network;
    ui.stats.textContent = measures.error ?? measures.stats;
    showWarnings(measures.greyGoo);
  } catch {
    // The numbers are a help, not the picture: try again on the next tick.
  } finally {
    measuring = false;
  }
}

// ---- user actions -------------------------------------------------------------

function selectScene(id: number): void {
  if (id === state.current) return;
  state.current = id;
  for (const button of ui.scenes.querySelectorAll('button')) button.classList.toggle('current', Number(button.dataset.id) === id);
  const entry = state.entries.find((e) => e.id === id);
  history.replaceState(null, '', `?${new URLSearchParams({ ...Object.fromEntries(params), scene: entry?.name ?? String(id) })}`);
  void loadCurrent(false);
}

function seek(time: number): void {
  state.time = Math.min(Math.max(time, 0), duration());
  stillSince = performance.now();
  paint();
  updateClock();
}

function setPlaying(playing: boolean): void {
  state.playing = playing;
  ui.play.textContent = playing ? '❚❚' : '▶';
  ui.play.setAttribute('aria-pressed', String(playing));
}

function stepFrame(delta: number): void {
  if (!state.loaded) return;
  setPlaying(false);
  const fps = state.loaded.model.timeline.fps;
  seek((frameNumber(state.time) + delta) / fps);
}

/** The frame shown as a PNG carrying the resolved scene at the size shown, as `still` writes it. */
async function savePng(): Promise<void> {
  const loaded = state.loaded;
  if (!loaded) return;
  const [width, height] = previewSize(loaded);
  const scene = validateSceneData(overrideScene(loaded.scene, { size: [width, height] }));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const pixels = painter.readPixels();
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
  const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
  const png = withPngText(new Uint8Array(await blob.arrayBuffer()), METADATA_KEYWORD, JSON.stringify(scene));
  const at = state.time.toFixed(2);
  const name = `${loaded.model.name}-${at.replace('.', '_')}s.png`;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([png.slice().buffer as ArrayBuffer], { type: 'image/png' }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  savedAs = { name, at };
  updateClock();
}

/** The last PNG saved, for the command that re-renders it. */
let savedAs: { name: string; at: string } | undefined;

/** The command lines that render the whole video and the frame shown (or the PNG just saved). */
function showCommands(): void {
  const entry = state.entries.find((e) => e.id === state.current);
  if (!entry) return;
  const still = savedAs ? `npx cppn-motion still --from ${savedAs.name} --at ${savedAs.at}` : `npx cppn-motion still ${entry.file} --at ${state.time.toFixed(2)}`;
  const text = [`npx cppn-motion render ${entry.file}`, still].join('\n');
  if (ui.commands.textContent !== text) ui.commands.textContent = text;
}

// ---- the loop --------------------------------------------------------------------

function updateClock(): void {
  if (!state.loaded) {
    ui.clock.textContent = '–';
    return;
  }
  const frames = state.loaded.model.timeline.frameCount;
  ui.clock.textContent = `${state.time.toFixed(2)} s · frame ${frameNumber(state.time)} / ${frames}`;
  if (savedAs && savedAs.at !== state.time.toFixed(2)) savedAs = undefined;
  showCommands();
  if (document.activeElement !== ui.scrubber) ui.scrubber.value = String(state.time);
}

let last = performance.now();
function tick(now: number): void {
  const dt = Math.min((now - last) / 1000, 0.25);
  last = now;
  if (state.playing && state.loaded) {
    const length = duration();
    let t = state.time + dt * state.direction;
    const pingPong = state.loaded.scene.loop === 'ping-pong';
    if (t >= length || t < 0) {
      if (!ui.loop.checked) {
        t = Math.min(Math.max(t, 0), length);
        setPlaying(false);
      } else if (pingPong) {
        state.direction = -state.direction;
        t = t >= length ? 2 * length - t : -t;
      } else {
        t = ((t % length) + length) % length;
      }
    }
    state.time = t;
    const cpuBusy = painter instanceof CpuPainter && painter.pending;
    if (!cpuBusy) paint();
    updateClock();
  }
  ui.fps.textContent = `${frameTimes.filter((t) => now - t < 1000).length} fps`;
  void measure(now);
  requestAnimationFrame(tick);
}

// ---- start ------------------------------------------------------------------------

function bindControls(): void {
  ui.play.addEventListener('click', () => setPlaying(!state.playing));
  ui.scrubber.addEventListener('input', () => {
    setPlaying(false);
    seek(Number(ui.scrubber.value));
  });
  ui.resolution.addEventListener('change', () => {
    resolutionPicked = true;
    paint();
  });
  ui.gpuCanvas.addEventListener('webglcontextlost', () => {
    ui.notice.hidden = false;
    ui.notice.textContent = 'The GPU gave up on a frame (too much work at this size): pick a smaller resolution and reload the page.';
  });
  ui.save.addEventListener('click', () => void savePng());
  window.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type !== 'range') return;
    if (event.key === ' ') {
      event.preventDefault();
      setPlaying(!state.playing);
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      stepFrame(event.key === 'ArrowRight' ? 1 : -1);
    } else if (event.key === 's' && !event.metaKey && !event.ctrlKey) {
      void savePng();
    }
  });
  const events = new EventSource(API.events);
  events.addEventListener('change', (event) => {
    const changed = JSON.parse((event as MessageEvent<string>).data) as SceneChanged;
    if (changed.id === state.current) void loadCurrent(true);
  });
}

async function start(): Promise<void> {
  choosePainter();
  bindControls();
  state.entries = await fetchJson<SceneEntry[]>(API.scenes);
  ui.scenes.replaceChildren(
    ...state.entries.map((entry) => {
      const button = document.createElement('button');
      button.textContent = entry.name;
      button.title = entry.file;
      button.dataset.id = String(entry.id);
      button.addEventListener('click', () => selectScene(entry.id));
      return button;
    }),
  );
  if (state.entries.length < 2) ui.scenes.hidden = true;
  const wanted = params.get('scene');
  const first = state.entries.find((e) => e.name === wanted) ?? state.entries[0];
  if (params.get('paused') !== null) setPlaying(false);
  const resolution = params.get('resolution');
  if (resolution && [...ui.resolution.options].some((o) => o.value === resolution)) {
    ui.resolution.value = resolution;
    resolutionPicked = true;
  }
  if (first) selectScene(first.id);
  requestAnimationFrame(tick);
}

/** For tests and the benchmark: the page's state and a few handles on it. */
declare global {
  interface Window {
    cppnPreview: unknown;
  }
}
window.cppnPreview = {
  state,
  seek,
  setPlaying,
  savePng,
  selectScene,
  setResolution(value: string) {
    ui.resolution.value = value;
    resolutionPicked = true;
    paint();
  },
  /** The canvas's pixels as base64 RGBA rows from the top. */
  pixels(): { width: number; height: number; base64: string } {
    const data = painter.readPixels();
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: painter.canvas.width, height: painter.canvas.height, base64: btoa(binary) };
  },
  /** Paints `count` frames back to back as fast as the renderer goes; frames per second. */
  async benchmark(count: number): Promise<number> {
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      state.time = (state.time + 1 / 30) % duration();
      paint();
      if (gpu) gpu.finish();
      else await new Promise<void>((done) => {
        const wait = (): void => ((painter as CpuPainter).pending ? void setTimeout(wait, 1) : done());
        wait();
      });
    }
    return (count * 1000) / (performance.now() - started);
  },
};

void start();
