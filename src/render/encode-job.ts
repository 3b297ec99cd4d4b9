/** What the encoders are told about a scene's video. */
import type { EncodeJob, EncodeOptions } from '../encode/encoder.js';
import { parseByteSize, type LoadedScene, type SceneFile } from '../scene/index.js';

/** "WxH" or [w, h], as [w, h]. */
function sizePair(size: string | readonly [number, number]): [number, number] {
  const [w, h] = typeof size === 'string' ? size.split('x').map(Number) : size;
  return [w, h];
}

/** The scene's output options in the encoders' terms: a size as [width, height], a budget in bytes. */
export function encodeOptions(output: SceneFile['output']): EncodeOptions {
  const { mp4, webm, webp, gif } = output;
  return {
    mp4: { crf: mp4.crf, preset: mp4.preset },
    webm: { crf: webm.crf },
    webp: { lossless: webp.lossless, quality: webp.quality },
    gif: {
      colors: gif.colors,
      dither: gif.dither,
      bayerScale: gif.bayerScale,
      tolerance: gif.tolerance,
      size: gif.size === undefined ? undefined : sizePair(gif.size),
      fps: gif.fps,
      maxBytes: gif.maxBytes === undefined ? undefined : parseByteSize(gif.maxBytes),
    },
  };
}

/** The scene's video, to be written at `path`; `metadata`: store the resolved scene in it (outputs do, pieces need not). */
export function videoEncodeJob(loaded: LoadedScene, path: string, metadata = true): EncodeJob {
  const { output } = loaded.scene;
  return {
    width: loaded.model.width,
    height: loaded.model.height,
    fps: output.fps,
    frameCount: loaded.model.timeline.frameCount,
    path,
    metadata: metadata ? JSON.stringify(loaded.scene) : undefined,
    options: encodeOptions(output),
  };
}
