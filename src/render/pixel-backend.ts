/**
 * Which code computes a frame's pixels: the CPU's exact reference kernels or
 * a GPU (WebGPU). Backends differ in their last bits (a GPU rounds otherwise
 * than the CPU reference), so one video must never be made of frames from
 * two: the backend travels with every cluster job, is part of every piece's
 * key in the chunk store and of its record, decides which queue the job
 * waits in, and a worker refuses a job whose backend it does not serve.
 */
export const PIXEL_BACKENDS = ['cpu', 'gpu'] as const;
export type PixelBackend = (typeof PIXEL_BACKENDS)[number];

/** The backend a cluster render asks its workers for unless told otherwise: the bit-exact CPU reference (a render on this machine chooses its own, see backend-choice.ts). */
export const CLUSTER_DEFAULT_PIXEL_BACKEND: PixelBackend = 'cpu';

/** "the CPU" / "the GPU", for messages. */
export function pixelBackendWords(backend: string): string {
  return (PIXEL_BACKENDS as readonly string[]).includes(backend) ? `the ${backend.toUpperCase()}` : `the ${backend} backend`;
}
