/**
 * What a fit leaves on disk: the weights file (the project's format, usable
 * as `weights:` or in keyframes), a PNG of the fitted picture rendered by the
 * ordinary renderer (the scene that draws it stored inside, so `still --from`
 * re-renders it at any size) and the chart of the fit. Each is written under
 * a temporary name and renamed into place, weights first, since the
 * picture's scene refers to them.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import { encodePng } from '../encode/png.js';
import { renderStill, type Still } from '../render/still.js';
import { sceneFromFile, toSceneName, validateSceneData, weightsToJson, type LoadedScene, type SceneFile } from '../scene/index.js';
import { renderFitChart } from './fit-chart.js';
import type { FitResult } from './fit-network.js';

export interface FitOutputPaths {
  weights: string;
  picture: string;
  chart: string;
}

/**
 * logo.json → logo-fitted.png and logo-chart.png beside it. The picture's
 * name says what it is, and keeps it apart from the target the fit learned
 * (logo.png, often in the same folder).
 */
export function fitOutputPaths(weightsPath: string): FitOutputPaths {
  const stem = join(dirname(weightsPath), basename(weightsPath, extname(weightsPath)));
  return { weights: weightsPath, picture: `${stem}-fitted.png`, chart: `${stem}-chart.png` };
}

/**
 * The scene that draws the fit: the fitted scene with its network taken from
 * the weights file (keyframes keep their view, time and colour but no longer
 * choose networks), named after the output.
 */
export function fittedScene(loaded: LoadedScene, weightsPath: string, weights: FitResult['weights'], name: string): LoadedScene {
  const absolute = resolve(weightsPath);
  const keyframes = loaded.scene.keyframes
    .map((k) => {
      const { seed: _seed, weights: _weights, ...rest } = k;
      return rest;
    })
    .filter((k) => Object.keys(k).some((key) => key !== 'at' && key !== 'frame' && key !== 'ease'));
  const scene: SceneFile = validateSceneData({ ...loaded.scene, name, weights: absolute, orbit: undefined, series: undefined, keyframes });
  return sceneFromFile(scene, loaded.origin, '/', name, new Map([[absolute, weights]]));
}

export interface WrittenFit {
  paths: FitOutputPaths;
  picture: Still;
}

export async function writeFitOutputs(loaded: LoadedScene, result: FitResult, weightsPath: string, options: { at?: number; workers?: number } = {}): Promise<WrittenFit> {
  const paths = fitOutputPaths(weightsPath);
  const name = toSceneName(basename(weightsPath, extname(weightsPath)), 'fitted');
  const scene = fittedScene(loaded, paths.weights, result.weights, name);
  const picture = await renderStill(scene, { at: options.at ?? 0, workers: options.workers });
  const chart = await renderFitChart(result, `Fitting ${loaded.model.name} (${loaded.model.width}x${loaded.model.height})`);
  writeFileAtomic(paths.weights, `${JSON.stringify(weightsToJson(result.weights))}\n`);
  writeFileAtomic(paths.picture, encodePng(picture.data, picture.width, picture.height, JSON.stringify(scene.scene)));
  writeFileAtomic(paths.chart, chart.png);
  return { paths, picture };
}
