/**
 * Renders frames of one scene on the current thread: the scene's frame
 * builder plus a kernel compiled for its network. Used directly for small
 * stills and tests, and by each worker thread.
 */
import { createKernel, renderRows, type BackendChoice, type ForwardKernel } from '../core/index.js';
// The scene modules this needs, not the scene index: every render worker loads
// this file, and the index would also load the YAML parser and the file loader,
// memory that every thread would carry for nothing.
import { FrameBuilder, type WeightsLibrary } from '../scene/frames.js';
import { buildModel } from '../scene/model.js';
import type { SceneFile } from '../scene/schema.js';

export interface RowRange {
  start: number;
  end: number;
}

/** Which moment to render: a frame of the video, or a time in seconds. */
export type FrameSelector = { index: number } | { time: number };

export class FrameRenderer {
  readonly builder: FrameBuilder;
  readonly kernel: ForwardKernel;

  constructor(scene: SceneFile, library: WeightsLibrary, backend: BackendChoice = 'auto') {
    const model = buildModel(scene, scene.name ?? 'scene');
    this.builder = new FrameBuilder(model, library);
    this.kernel = createKernel(model.shape, backend);
  }

  get width(): number {
    return this.builder.model.width;
  }

  get height(): number {
    return this.builder.model.height;
  }

  /** Renders rows [rows.start, rows.end) into `target` (which holds just those rows). */
  render(selector: FrameSelector, target: Uint8Array, rows: RowRange = { start: 0, end: this.height }): void {
    const frame = 'index' in selector ? this.builder.frame(selector.index) : this.builder.atTime(selector.time);
    renderRows(frame, this.kernel, target, rows.start, rows.end);
  }

  /** A whole frame as a new RGBA buffer. */
  renderFrame(selector: FrameSelector): Uint8Array {
    const out = new Uint8Array(this.width * this.height * 4);
    this.render(selector, out);
    return out;
  }
}
