/**
 * Playback: the renderer (WebGL2 where the browser offers it, the CPU kernel
 * in a worker where not), the playhead, and painting the frame at the
 * playhead with the values set by hand.
 */
import { multiplyAddsPerPixel, type FrameDescription, type LoadedScene } from '../../browser/index.js';
import { CpuPainter } from './cpu-painter.js';
import { ui } from './dom.js';
import { GpuPainter } from './gpu-painter.js';
import type { Preview } from './session.js';

export interface Painter {
  readonly canvas: HTMLCanvasElement;
  paint(frame: FrameDescription): void;
  readPixels(): Uint8Array;
}

/** Multiply-adds one frame may take at the resolution chosen for the user (they may pick more). */
const FRAME_BUDGET = 4e9;

export class Playback {
  painter!: Painter;
  /** The WebGL2 painter, when frames are painted on the GPU. */
  gpu: GpuPainter | undefined;
  resolutionPicked = false;
  private frameTimes: number[] = [];
  private last = performance.now();
  /** Called once per animation frame, after the playhead moved (the other panels follow it). */
  onTick: (now: number) => void = () => {};

  constructor(
    private readonly preview: Preview,
    private readonly params: URLSearchParams,
  ) {}

  choosePainter(): void {
    const forced = this.params.get('renderer');
    const attempt = forced === 'cpu' ? { reason: 'the CPU renderer was asked for' } : GpuPainter.create(ui.gpuCanvas);
    // Software WebGL (SwiftShader, llvmpipe) runs the shader on the CPU, slower than the WebAssembly
    // kernel does (bench:preview measures both), so it counts as no GPU unless asked for.
    const software = 'painter' in attempt && forced !== 'gpu' && /swiftshader|llvmpipe|software/i.test(attempt.painter.renderer);
    if ('painter' in attempt && !software) {
      const gpu = attempt.painter;
      this.gpu = gpu;
      this.painter = { canvas: ui.gpuCanvas, paint: (f) => gpu.paint(f), readPixels: () => gpu.readPixels() };
      ui.renderer.textContent = `GPU · WebGL2 · ${gpu.renderer}`;
      ui.renderer.title = ui.renderer.textContent;
      return;
    }
    ui.gpuCanvas.hidden = true;
    ui.cpuCanvas.hidden = false;
    const cpu = new CpuPainter(ui.cpuCanvas);
    cpu.onPainted = () => {
      this.preview.state.painted++;
      this.countFrame();
    };
    this.painter = cpu;
    ui.renderer.textContent = 'CPU · WebAssembly in a worker';
    if (software) {
      ui.notice.hidden = false;
      ui.notice.textContent = 'WebGL2 here is software rendering, slower than the CPU kernel, so frames are rendered on the CPU (add ?renderer=gpu to the address to use WebGL2 anyway).';
    } else if ('reason' in attempt && forced !== 'cpu') {
      ui.notice.hidden = false;
      ui.notice.textContent = `The GPU path cannot run here (${attempt.reason}), so frames are rendered on the CPU: the same pixels, fewer frames per second.`;
    }
  }

  /** The preview's frame size: the scene's aspect ratio, its longer side as picked (never above full size). */
  previewSize(loaded: LoadedScene, pick = ui.resolution.value): [number, number] {
    const { width, height } = loaded.model;
    if (pick === 'full') return [width, height];
    const long = Math.min(Number(pick), Math.max(width, height));
    const scale = long / Math.max(width, height);
    return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  }

  /** 512 unless the network is so wide that software GL could not keep up (and the browser might give up on a frame): then 256 or 128. */
  affordableResolution(loaded: LoadedScene): string {
    const perPixel = multiplyAddsPerPixel(loaded.model.shape);
    const aspect = Math.min(loaded.model.width, loaded.model.height) / Math.max(loaded.model.width, loaded.model.height);
    return ['512', '256', '128'].find((side) => Number(side) ** 2 * aspect * perPixel <= FRAME_BUDGET) ?? '128';
  }

  duration(): number {
    return this.preview.state.loaded?.model.timeline.duration ?? 1;
  }

  frameNumber(time: number): number {
    const timeline = this.preview.state.loaded!.model.timeline;
    return Math.min(timeline.frameCount - 1, Math.floor(time * timeline.fps + 1e-6));
  }

  /** The frame at the playhead, values set by hand included, at the preview's size. */
  currentFrame(): FrameDescription | undefined {
    const { state, session } = this.preview;
    if (!state.loaded || !state.builder) return undefined;
    const [width, height] = this.previewSize(state.loaded);
    return { ...state.builder.atTime(state.time, session?.overrides), width, height };
  }

  paint(): void {
    const frame = this.currentFrame();
    if (!frame) return;
    this.painter.paint(frame);
    if (this.gpu) {
      this.preview.state.painted++;
      this.countFrame();
    }
    ui.size.textContent = `${frame.width}×${frame.height}`;
    ui.frame.style.setProperty('--aspect', String(frame.width / frame.height));
  }

  private countFrame(): void {
    const now = performance.now();
    this.frameTimes.push(now);
    this.frameTimes = this.frameTimes.filter((t) => now - t < 1000);
  }

  seek(time: number): void {
    this.preview.state.time = Math.min(Math.max(time, 0), this.duration());
    this.paint();
    this.preview.emit('time');
    this.updateClock();
  }

  setPlaying(playing: boolean): void {
    this.preview.state.playing = playing;
    ui.play.textContent = playing ? '❚❚' : '▶';
    ui.play.setAttribute('aria-pressed', String(playing));
  }

  stepFrame(delta: number): void {
    const { state } = this.preview;
    if (!state.loaded) return;
    this.setPlaying(false);
    const fps = state.loaded.model.timeline.fps;
    this.seek((this.frameNumber(state.time) + delta) / fps);
  }

  /** Called when the clock's text changes (the commands shown follow it). */
  onClock: () => void = () => {};

  updateClock(): void {
    const { state } = this.preview;
    if (!state.loaded) {
      ui.clock.textContent = '–';
      return;
    }
    const frames = state.loaded.model.timeline.frameCount;
    ui.clock.textContent = `${state.time.toFixed(2)} s · frame ${this.frameNumber(state.time)} / ${frames}`;
    if (document.activeElement !== ui.scrubber) ui.scrubber.value = String(state.time);
    this.onClock();
  }

  private tick(now: number): void {
    const { state } = this.preview;
    const dt = Math.min((now - this.last) / 1000, 0.25);
    this.last = now;
    if (state.playing && state.loaded) {
      const length = this.duration();
      let t = state.time + dt * state.direction;
      const pingPong = state.loaded.scene.loop === 'ping-pong';
      if (t >= length || t < 0) {
        if (!ui.loop.checked) {
          t = Math.min(Math.max(t, 0), length);
          this.setPlaying(false);
        } else if (pingPong) {
          state.direction = -state.direction;
          t = t >= length ? 2 * length - t : -t;
        } else {
          t = ((t % length) + length) % length;
        }
      }
      state.time = t;
      const cpuBusy = this.painter instanceof CpuPainter && this.painter.pending;
      if (!cpuBusy) this.paint();
      this.updateClock();
    }
    ui.fps.textContent = `${this.frameTimes.filter((t) => now - t < 1000).length} fps`;
    this.onTick(now);
    requestAnimationFrame((next) => this.tick(next));
  }

  start(): void {
    requestAnimationFrame((now) => this.tick(now));
  }

  /** Paints `count` frames back to back as fast as the renderer goes; frames per second. */
  async benchmark(count: number): Promise<number> {
    const { state } = this.preview;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      state.time = (state.time + 1 / 30) % this.duration();
      this.paint();
      if (this.gpu) this.gpu.finish();
      else {
        await new Promise<void>((done) => {
          const wait = (): void => ((this.painter as CpuPainter).pending ? void setTimeout(wait, 1) : done());
          wait();
        });
      }
    }
    return (count * 1000) / (performance.now() - started);
  }

  /** Resolves once the picture for the present state is on the canvas. */
  async settled(): Promise<void> {
    if (this.gpu) return this.gpu.finish();
    while ((this.painter as CpuPainter).pending) await new Promise((done) => setTimeout(done, 2));
  }
}
