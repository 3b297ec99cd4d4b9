/**
 * A series: one scene, many items — every seed times every combination of
 * grid values — each a complete scene of its own with a name that says what
 * varies (e.g. drift-seed-07-zoom-0.5).
 */
import { option, SceneError, UserError, words } from '../errors.js';
import {
  GRID_PARAMETERS,
  inertReason,
  keyframeSeconds,
  overrideScene,
  parseSeedList,
  sceneFromFile,
  validateSceneData,
  type Format,
  type GridParameter,
  type LoadedScene,
  type SceneFile,
} from '../scene/index.js';


export interface SeriesSpec {
  /** Seeds to render; undefined: just the scene's own. */
  seeds?: number[];
  /** Parameter → values; the series takes every combination. */
  grid: Array<[GridParameter, number[]]>;
}

/** Settings applied to every item (flags of `batch`). */
export interface ItemSettings {
  size?: [number, number];
  fps?: number;
  duration?: number;
  formats?: Format[];
  gifColors?: number;
  gifDither?: SceneFile['output']['gif']['dither'];
  antialias?: number;
}

export interface BatchItem {
  name: string;
  /** What varies, for file names, labels and the manifest. */
  params: Record<string, number>;
  loaded: LoadedScene;
}

/** More items than this need confirming (`yes`): a typo in a grid should not start a night-long render. */
export const CONFIRM_ABOVE = 1000;

/** The series of a scene: its `series:` block, with the options given taking precedence. */
export function seriesSpec(scene: SceneFile, flags: { seeds?: number[]; grid?: Array<[GridParameter, number[]]> }): SeriesSpec {
  const fromScene = scene.series;
  const sceneSeeds = fromScene?.seeds === undefined ? undefined : typeof fromScene.seeds === 'string' ? parseSeedList(fromScene.seeds) : fromScene.seeds;
  const sceneGrid = Object.entries(fromScene?.grid ?? {}).filter((e): e is [GridParameter, number[]] => e[1] !== undefined);
  const grid = new Map<GridParameter, number[]>(sceneGrid);
  for (const [name, values] of flags.grid ?? []) grid.set(name, values);
  return { seeds: flags.seeds ?? sceneSeeds, grid: [...grid] };
}

/**
 * The scene with `name` held at `value` for the whole video: the parameter is
 * taken out of every keyframe and set once, at 0 s.
 */
export function holdParameter(scene: SceneFile, name: GridParameter, value: number): SceneFile {
  const keyframes = scene.keyframes
    .map((k) => {
      const { [name]: _dropped, ...rest } = k;
      return rest;
    })
    .filter((k) => Object.keys(k).some((key) => key !== 'at' && key !== 'frame' && key !== 'ease'));
  const first = keyframes[0];
  if (first && keyframeSeconds(first, scene.output.fps) === 0) keyframes[0] = { ...first, [name]: value };
  else keyframes.unshift({ at: 0, [name]: value });
  return { ...scene, keyframes };
}

function usefulGridParameters(scene: SceneFile): GridParameter[] {
  return GRID_PARAMETERS.filter((name) => inertReason(name, scene) === undefined);
}

function product(grid: Array<[GridParameter, number[]]>): Array<Array<[GridParameter, number]>> {
  return grid.reduce<Array<Array<[GridParameter, number]>>>((combos, [name, values]) => combos.flatMap((combo) => values.map((v) => [...combo, [name, v] as [GridParameter, number]])), [[]]);
}

function itemCount(spec: SeriesSpec): number {
  return (spec.seeds?.length ?? 1) * spec.grid.reduce((n, [, values]) => n * values.length, 1);
}

/** Every item of the series, in order: seeds outermost, then the grid. */
export function planItems(loaded: LoadedScene, spec: SeriesSpec, settings: ItemSettings, confirmed: boolean): BatchItem[] {
  for (const [name, values] of spec.grid) {
    if (values.length === 0) throw new UserError(`${loaded.origin}: the grid for ${name} is empty; give at least one value`);
  }
  for (const [name] of spec.grid) {
    const reason = inertReason(name, loaded.scene);
    // Every item would be the same picture under a different name: a mistake, not a series.
    if (reason !== undefined) throw new UserError(`${loaded.origin}: the series varies ${name}, but ${reason}, so every item would be the same picture; vary something this network uses (${usefulGridParameters(loaded.scene).join(', ')})`);
  }
  const count = itemCount(spec);
  if (count > CONFIRM_ABOVE && !confirmed) {
    throw new UserError(words`${loaded.origin}: this series has ${count.toLocaleString('en')} items; pass ${option('yes')} to render them all, or narrow ${option('seeds')} / the grid`);
  }
  const base = loaded.scene;
  const seeds = spec.seeds ?? [base.seed];
  const width = Math.max(2, ...seeds.map((s) => String(Math.abs(s)).length));
  const items: BatchItem[] = [];
  for (const seed of seeds) {
    for (const combo of product(spec.grid)) {
      const params: Record<string, number> = spec.seeds ? { seed } : {};
      let scene = overrideScene(base, { seed: spec.seeds ? seed : undefined, size: settings.size, fps: settings.fps, duration: settings.duration, formats: settings.formats, antialias: settings.antialias });
      for (const [name, value] of combo) {
        scene = holdParameter(scene, name, value);
        params[name] = value;
      }
      if (settings.gifColors !== undefined || settings.gifDither !== undefined) {
        scene = { ...scene, output: { ...scene.output, gif: { ...scene.output.gif, colors: settings.gifColors ?? scene.output.gif.colors, dither: settings.gifDither ?? scene.output.gif.dither } } };
      }
      const suffix = [
        ...(spec.seeds ? [`seed-${seed < 0 ? '-' : ''}${String(Math.abs(seed)).padStart(width, '0')}`] : []),
        ...combo.map(([name, value]) => `${name}-${value}`),
      ];
      const name = [base.name, ...suffix].join('-');
      const { series: _series, ...withoutSeries } = { ...scene, name };
      let validated: SceneFile;
      try {
        validated = validateSceneData(withoutSeries);
      } catch (error) {
        if (error instanceof SceneError) throw new SceneError(error.problems.map((p) => ({ ...p, file: `${loaded.origin} (item ${name})` })));
        throw error;
      }
      items.push({ name, params, loaded: sceneFromFile(validated, loaded.origin, '/', name, loaded.library) });
    }
  }
  return items;
}
