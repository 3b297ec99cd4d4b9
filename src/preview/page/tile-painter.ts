/**
 * Paints small pictures (the explore panel's variations) into 2D canvases:
 * on the GPU through a WebGL2 painter of its own where the page paints on
 * the GPU, else with the CPU kernel in a worker of its own, so the main
 * picture keeps playing meanwhile.
 */
import type { FrameDescription } from '../../browser/index.js';
import type { CpuRequest, CpuResponse } from './cpu-worker.js';
import { GpuPainter } from './gpu-painter.js';

export interface TilePainter {
  readonly kind: 'gpu' | 'cpu';
  /** Paints the frame into `canvas` (which takes the frame's size). */
  paint(frame: FrameDescription, canvas: HTMLCanvasElement): Promise<void>;
}

function context(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return canvas.getContext('2d')!;
}

class GpuTiles implements TilePainter {
  readonly kind = 'gpu';
  constructor(private readonly painter: GpuPainter) {}

  async paint(frame: FrameDescription, canvas: HTMLCanvasElement): Promise<void> {
    this.painter.paint(frame);
    // The GPU works behind the page's back: wait for this picture, so a tile drawn means a picture
    // there (and the next tile's work does not queue up behind it, holding the page's input).
    this.painter.finish();
    const ctx = context(canvas, frame.width, frame.height);
    // The drawing buffer is preserved, so it can be copied after the draw call.
    ctx.drawImage(this.painter.canvas as HTMLCanvasElement, 0, 0);
    ctx.getImageData(0, 0, 1, 1);
  }
}

class CpuTiles implements TilePainter {
  readonly kind = 'cpu';
  private readonly worker = new Worker('cpu-worker.js');
  private readonly waiting = new Map<number, { done: (response: CpuResponse) => void; fail: (error: Error) => void }>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<CpuResponse>) => {
      const waiter = this.waiting.get(event.data.id);
      this.waiting.delete(event.data.id);
      if (event.data.error !== undefined) waiter?.fail(new Error(event.data.error));
      else waiter?.done(event.data);
    };
    // A worker that dies answers nothing more: everything waiting fails instead of waiting for ever.
    this.worker.onerror = (event) => {
      for (const waiter of this.waiting.values()) waiter.fail(new Error(event.message || 'the CPU worker stopped'));
      this.waiting.clear();
    };
  }

  async paint(frame: FrameDescription, canvas: HTMLCanvasElement): Promise<void> {
    const id = this.nextId++;
    const response = await new Promise<CpuResponse>((done, fail) => {
      this.waiting.set(id, { done, fail });
      const request: CpuRequest = { id, frame };
      this.worker.postMessage(request);
    });
    context(canvas, response.width, response.height).putImageData(new ImageData(response.rgba, response.width, response.height), 0, 0);
  }
}

/** Tiles on the GPU when `gpu` (the page paints there), else on the CPU. */
export function createTilePainter(gpu: boolean): TilePainter {
  if (gpu) {
    const attempt = GpuPainter.create(document.createElement('canvas'));
    if ('painter' in attempt) return new GpuTiles(attempt.painter);
  }
  return new CpuTiles();
}
