/**
 * A picture as a training set: each pixel's input features, computed exactly
 * as the renderer computes them for that frame (view, aspect ratio, time,
 * latent), and its colour as the network's output should show it: RGB for
 * three output channels, luminance for one (grey or a palette position).
 */
import { FeatureWriter, type FeatureSpec, type FrameInputs } from '../features.js';
import type { TrainingSet } from './gradient.js';

/** Rec. 709 luma weights: what "how bright" means for a grey or palette fit. */
const LUMA = [0.2126, 0.7152, 0.0722] as const;

export function imageTrainingSet(features: FeatureSpec, frame: FrameInputs, inputCount: number, channels: 1 | 3, rgba: ArrayLike<number>): TrainingSet {
  const pixels = frame.width * frame.height;
  if (rgba.length < pixels * 4) throw new RangeError(`the target has ${rgba.length / 4} pixels, the frame ${pixels}`);
  const featureValues = new Float32Array(inputCount * pixels);
  new FeatureWriter(features, frame).write(featureValues, pixels, 0, pixels);
  const targets = new Float32Array(channels * pixels);
  for (let p = 0; p < pixels; p++) {
    const r = rgba[4 * p] / 255;
    const g = rgba[4 * p + 1] / 255;
    const b = rgba[4 * p + 2] / 255;
    if (channels === 3) {
      targets[p] = r;
      targets[pixels + p] = g;
      targets[2 * pixels + p] = b;
    } else {
      targets[p] = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
    }
  }
  return { pixels, features: featureValues, targets };
}
