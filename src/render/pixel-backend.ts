/**
 * Which code computes a frame's pixels. Backends differ in their last bits
 * (a GPU rounds otherwise than the CPU reference), so one video must never be
 * made of frames from two: the backend travels with every cluster job, is
 * part of every piece's key in the chunk store, and a worker refuses a job
 * whose backend it does not run.
 */
export type PixelBackend = 'cpu';

/** The backend a render uses unless told otherwise: the bit-exact CPU reference. */
export const DEFAULT_PIXEL_BACKEND: PixelBackend = 'cpu';

/** The backends this process can run. */
export function availablePixelBackends(): PixelBackend[] {
  return ['cpu'];
}
