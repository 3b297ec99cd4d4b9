/**
 * The render worker: runs frame jobs (a frame, or a band of its rows) on its
 * own thread and writes the pixels into shared memory owned by the caller.
 */
import { FrameRenderer, type FrameSelector, type RowRange } from './frame-renderer.js';
import type { ScenePayload } from './scene-payload.js';

export interface FrameJob {
  scene: ScenePayload;
  frame: FrameSelector;
  rows?: RowRange;
  /** Receives RGBA for the rows rendered, starting at byte `offset`. */
  target: SharedArrayBuffer;
  offset: number;
}

export interface FrameJobResult {
  /** Milliseconds spent rendering on the worker. */
  renderMs: number;
}

const renderers = new Map<string, FrameRenderer>();

function rendererFor(payload: ScenePayload): FrameRenderer {
  let renderer = renderers.get(payload.key);
  if (!renderer) {
    renderer = new FrameRenderer(payload.scene, new Map(payload.library));
    renderers.set(payload.key, renderer);
    // A batch moves through many scenes; keep the few in use.
    if (renderers.size > 4) renderers.delete(renderers.keys().next().value!);
  }
  return renderer;
}

export default function renderFrameJob(job: FrameJob): FrameJobResult {
  const started = performance.now();
  const renderer = rendererFor(job.scene);
  const rows = job.rows ?? { start: 0, end: renderer.height };
  const bytes = (rows.end - rows.start) * renderer.width * 4;
  renderer.render(job.frame, new Uint8Array(job.target, job.offset, bytes), rows);
  return { renderMs: performance.now() - started };
}
