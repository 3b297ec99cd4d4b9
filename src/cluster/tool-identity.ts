/**
 * Everything about a process that changes the bytes it writes: the
 * cppn-motion version (its renderer and GIF coder), the pixel backend, and
 * the ffmpeg build (its encoders) when a format needs it. Every job carries
 * the coordinator's; a worker that differs refuses the job, and every piece
 * in the store is filed under a key made from it.
 */
import { ffmpegVersion } from '../encode/ffmpeg.js';
import { usesFfmpeg } from '../encode/formats/index.js';
import { CLUSTER_DEFAULT_PIXEL_BACKEND, pixelBackendWords, type PixelBackend } from '../render/pixel-backend.js';
import type { Format } from '../scene/index.js';
import { VERSION } from '../tool-version.js';
import { queueName } from './redis-queue.js';

export interface ToolIdentity {
  version: string;
  backend: PixelBackend;
  /** `ffmpeg -version`'s first line, when the formats use ffmpeg. */
  ffmpeg?: string;
}

/** What a worker renders with, as it checks a job. */
export interface ServedBackends {
  /** Every backend the worker serves (a worker with a GPU serves the CPU's jobs too). */
  serves: readonly PixelBackend[];
  /** The backend of the queue the job was taken from: jobs of each backend wait in their own. */
  queue: PixelBackend;
}

/** This process's identity for a job of these formats. */
export function toolIdentity(formats: readonly Format[], backend: PixelBackend = CLUSTER_DEFAULT_PIXEL_BACKEND): ToolIdentity {
  return { version: VERSION, backend, ffmpeg: usesFfmpeg(formats) ? ffmpegVersion() : undefined };
}

/** Why a job from another version cannot be done here; checked before anything else, since another version may carry what this one cannot read. */
export function versionMismatch(wanted: Pick<ToolIdentity, 'version'>): string | undefined {
  if (wanted.version !== VERSION) return `the job comes from cppn-motion ${wanted.version}, this worker runs ${VERSION}; run the same version on the coordinator and every worker`;
  return undefined;
}

/**
 * Why this worker cannot render a job for `backend`. The coordinator queues
 * each backend's jobs where only workers that serve it listen, so this is a
 * job made by hand, or one moved between queues.
 */
export function backendMismatch(backend: string, served: ServedBackends): string | undefined {
  if (!(served.serves as readonly string[]).includes(backend)) {
    const only = served.serves.map(pixelBackendWords).join(' and ');
    return `the job asks for ${pixelBackendWords(backend)}, this worker renders on ${only} only (pixels differ between backends, and a video is never a mix)${backend === 'gpu' ? '; GPU jobs go to workers started on a machine with a GPU' : ''}`;
  }
  if (backend !== served.queue) return `the job asks for ${pixelBackendWords(backend)} but waited in the queue for ${pixelBackendWords(served.queue)} (${queueName(served.queue)}); each backend's jobs go in their own queue (${queueName(backend as PixelBackend)})`;
  return undefined;
}

/** Why the pieces this worker's ffmpeg codes could not be joined with the others. */
export function ffmpegMismatch(wanted: Pick<ToolIdentity, 'ffmpeg'>, formats: readonly Format[]): string | undefined {
  if (!usesFfmpeg(formats)) return undefined;
  const own = ffmpegVersion();
  if (wanted.ffmpeg !== own) return `the job's pieces must be coded by ${wanted.ffmpeg ?? 'an unnamed ffmpeg'}, this worker has ${own}; pieces from different ffmpeg builds cannot be joined (give every machine the same one, e.g. the one npm installs)`;
  return undefined;
}

/** Why this worker cannot do a job made by `wanted`, in the user's words; undefined when it can. */
export function identityMismatch(wanted: ToolIdentity, formats: readonly Format[], served: ServedBackends): string | undefined {
  return versionMismatch(wanted) ?? backendMismatch(wanted.backend, served) ?? ffmpegMismatch(wanted, formats);
}
