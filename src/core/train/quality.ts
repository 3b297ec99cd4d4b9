/** How close a picture is to its target: mean squared error and PSNR, on values in [0, 1]. */

/** Peak signal-to-noise ratio in decibels for values in [0, 1] (infinite for a perfect match). */
export function psnr(meanSquaredError: number): number {
  return meanSquaredError > 0 ? -10 * Math.log10(meanSquaredError) : Infinity;
}
