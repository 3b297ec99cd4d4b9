/**
 * Reading the picture to fit: any PNG, JPEG, WebP, GIF, BMP or AVIF that
 * @napi-rs/canvas decodes, no larger than a frame may be (its header is
 * checked before it is decoded), scaled to cover the frame (cropped evenly at
 * the sides that stick out, so the scene's aspect ratio wins) and laid on
 * white where it is transparent.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { pictureHeader } from '../encode/picture-header.js';
import { UserError } from '../errors.js';
import { readRegularFile } from '../files/index.js';
import { INPUT_LIMITS } from '../scene/index.js';
import type { FitImage } from './fit-network.js';

export async function loadTargetImage(path: string, width: number, height: number): Promise<FitImage> {
  // Through the bounded reader: a pipe or a device named as the picture must not hang or fill memory.
  const file = readRegularFile(path, `target image ${path}`, INPUT_LIMITS.targetImage, 'target images');
  const header = pictureHeader(file, path);
  let image: Awaited<ReturnType<typeof loadImage>>;
  try {
    image = await loadImage(file);
  } catch {
    throw new UserError(`${path} is not an image that can be read (a ${header.kind} file, but damaged)`, 'give a picture that another program opens');
  }
  if (!(image.width > 0 && image.height > 0)) throw new UserError(`${path} has no pixels`);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  const cover = Math.max(width / image.width, height / image.height);
  const drawnWidth = image.width * cover;
  const drawnHeight = image.height * cover;
  context.drawImage(image, (width - drawnWidth) / 2, (height - drawnHeight) / 2, drawnWidth, drawnHeight);
  return { width, height, data: context.getImageData(0, 0, width, height).data };
}

/** The size a fit uses by default: the scene's aspect ratio, the longer side `longest` pixels. */
export function defaultFitSize(sceneWidth: number, sceneHeight: number, longest = 128): [number, number] {
  const k = longest / Math.max(sceneWidth, sceneHeight);
  return [Math.max(1, Math.round(sceneWidth * k)), Math.max(1, Math.round(sceneHeight * k))];
}
