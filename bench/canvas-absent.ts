/**
 * Stands in for @napi-rs/canvas in the GPU device check's bundle
 * (bench/gpu-offline-pack.sh), which renders MP4 only: the canvas's native
 * library need not travel to the GPU machine. Anything that would draw says so.
 */
const absent = (): never => {
  throw new Error('this bundle of the GPU benchmark has no canvas (PNG, GIF labels and charts are not part of it)');
};
export const createCanvas = absent;
export const loadImage = absent;
export class ImageData {
  constructor() {
    absent();
  }
}
