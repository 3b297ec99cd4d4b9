/**
 * Everything about a process that changes the bytes it writes: the
 * cppn-motion version (its renderer and GIF coder), the pixel backend, and
 * the ffmpeg build (its encoders) when a format needs it. Every job carries
 * the coordinator's; a worker that differs refuses the job, and every piece
 * in the store is filed under a key made from it.
 */
import { ffmpegVersion } from '../encode/ffmpeg.js';
import { usesFfmpeg } from '../encode/formats/index.js';
import { availablePixelBackends, DEFAULT_PIXEL_BACKEND, type PixelBackend } from '../render/pixel-backend.js';
import type { Format } from '../scene/index.js';
import { VERSION } from '../tool-version.js';

export interface ToolIdentity {
  version: string;
  backend: PixelBackend;
  /** `ffmpeg -version`'s first line, when the formats use ffmpeg. */
  ffmpeg?: string;
}

/** This process's identity for a job of these formats. */
export function toolIdentity(formats: readonly Format[], backend: PixelBackend = DEFAULT_PIXEL_BACKEND): ToolIdentity {
  return { version: VERSION, backend, ffmpeg: usesFfmpeg(formats) ? ffmpegVersion() : undefined };
}

/** Why this worker cannot do a job made by `wanted`, in the user's words; undefined when it can. */
export function identityMismatch(wanted: ToolIdentity, formats: readonly Format[]): string | undefined {
  if (wanted.version !== VERSION) return `the job comes from cppn-motion ${wanted.version}, this worker runs ${VERSION}; run the same version on the coordinator and every worker`;
  if (!(availablePixelBackends() as string[]).includes(wanted.backend)) {
    return `the job asks for the ${wanted.backend} backend, this worker renders with ${availablePixelBackends().join(', ')} only (pixels differ between backends, and a video is never a mix)`;
  }
  if (usesFfmpeg(formats)) {
    const own = ffmpegVersion();
    if (wanted.ffmpeg !== own) return `the job's pieces must be coded by ${wanted.ffmpeg ?? 'an unnamed ffmpeg'}, this worker has ${own}; pieces from different ffmpeg builds cannot be joined (give every machine the same one, e.g. the one npm installs)`;
  }
  return undefined;
}
