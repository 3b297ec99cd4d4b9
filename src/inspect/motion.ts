/**
 * `inspect --motion`: how much the picture changes from each frame to the
 * next over the whole video, measured on a small preview (the same measure
 * `pacing: even` evens out), drawn as a chart with the keyframes marked, and
 * the spikes and stalls named. The chart also shows the other pacing, so the
 * effect of `pacing: even` is there to see before choosing it.
 */
import { FONT_FAMILY, INK, MUTED } from '../encode/drawing.js';
import {
  applyTimeMap,
  frameTime,
  FrameBuilder,
  keyframeSeconds,
  pictureChange,
  PreviewRenderer,
  previewSize,
  sceneFromFile,
  validateSceneData,
  type LoadedScene,
} from '../scene/index.js';
import { renderVegaLite as renderChart, type ChartImage as Chart } from '../encode/chart.js';

/** A frame changing this many times the median or more is a spike. */
export const SPIKE_FACTOR = 2;
/** A frame changing less than this share of the median is part of a stall (when several in a row do). */
export const STALL_FACTOR = 0.25;
/** Frames in a row below the stall line before it counts (about a tenth of a second at 30 fps). */
const STALL_MIN_FRAMES = 3;

export interface MotionRun {
  kind: 'spike' | 'stall';
  /** First and last frame of the run (the change from frame i to i + 1 belongs to frame i). */
  from: number;
  to: number;
  seconds: [number, number];
  /** The largest (spike) or smallest (stall) change in the run. */
  extreme: number;
}

export interface Motion {
  scene: string;
  pacing: 'keyframes' | 'even';
  fps: number;
  /** Change from frame i to frame i + 1 (for a loop the last is to frame 0), mean |Δ| of RGB in steps of 255. */
  changes: number[];
  median: number;
  max: number;
  /** max / median: 1 is perfectly even. */
  spread: number;
  runs: MotionRun[];
  /** Where each keyframe is shown, in frames (fractional). */
  keyframes: Array<{ index: number; frame: number }>;
  /** The previewed size the change was measured at. */
  size: [number, number];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

/** Spikes and stalls: runs of frames far above or below the median change. */
export function findRuns(changes: readonly number[], fps: number): MotionRun[] {
  const mid = median(changes);
  const runs: MotionRun[] = [];
  const scan = (kind: MotionRun['kind'], test: (v: number) => boolean, minLength: number): void => {
    let start = -1;
    for (let i = 0; i <= changes.length; i++) {
      if (i < changes.length && test(changes[i])) {
        if (start < 0) start = i;
        continue;
      }
      if (start >= 0 && i - start >= minLength) {
        const slice = changes.slice(start, i);
        runs.push({ kind, from: start, to: i - 1, seconds: [start / fps, i / fps], extreme: kind === 'spike' ? Math.max(...slice) : Math.min(...slice) });
      }
      start = -1;
    }
  };
  if (mid > 0) {
    scan('spike', (v) => v >= SPIKE_FACTOR * mid, 1);
    scan('stall', (v) => v < STALL_FACTOR * mid, STALL_MIN_FRAMES);
  }
  return runs.sort((a, b) => a.from - b.from);
}

/** Measures the change per frame of a scene as it renders (with its own pacing). */
export function measureMotion(loaded: LoadedScene): Motion {
  const { model } = loaded;
  const builder = new FrameBuilder(model, loaded.library);
  const n = model.timeline.frameCount;
  const size = previewSize(model.width, model.height, model.shape);
  const preview = new PreviewRenderer(size);
  const pictures = Array.from({ length: n }, (_, i) => preview.render(builder.frame(i)));
  const closed = loaded.scene.loop !== false;
  const changes = pictures.slice(0, closed ? n : n - 1).map((p, i) => pictureChange(p, pictures[(i + 1) % n]));
  const mid = median(changes);
  const max = Math.max(0, ...changes);
  // Where each keyframe's moment is shown: the frame whose (re-timed) time passes it.
  const pacing = builder.pacing();
  const shownTimes = Array.from({ length: n + 1 }, (_, i) => {
    const time = i === n && closed ? model.timeline.duration : frameTime(model.timeline, Math.min(i, n - 1));
    return pacing ? (i === n && closed ? model.timeline.duration : applyTimeMap(pacing, time)) : time;
  });
  const keyframes = loaded.scene.keyframes.map((k, index) => {
    const at = keyframeSeconds(k, loaded.scene.output.fps);
    const i = shownTimes.findIndex((t, j) => j < n && t <= at && at < shownTimes[j + 1]);
    const frame = i < 0 ? (at / model.timeline.duration) * n : i + (at - shownTimes[i]) / (shownTimes[i + 1] - shownTimes[i]);
    return { index, frame };
  });
  return {
    scene: model.name,
    pacing: loaded.scene.pacing,
    fps: loaded.scene.output.fps,
    changes,
    median: mid,
    max,
    spread: mid > 0 ? max / mid : max > 0 ? Infinity : 1,
    runs: findRuns(changes, loaded.scene.output.fps),
    keyframes,
    size,
  };
}

/** The same scene with the other pacing, to show what it would change. */
export function withOtherPacing(loaded: LoadedScene): LoadedScene {
  const scene = validateSceneData({ ...loaded.scene, pacing: loaded.scene.pacing === 'even' ? 'keyframes' : 'even', keyframes: loaded.scene.keyframes.map(({ pacing: _pacing, ...k }) => k) });
  return sceneFromFile(scene, loaded.origin, '/', loaded.model.name, loaded.library);
}

const f1 = (v: number): string => v.toFixed(1);
const f2 = (v: number): string => v.toFixed(2);

/** The motion as text: the pace, its spread, and every spike and stall. */
export function formatMotion(motion: Motion, other?: Motion): string {
  const lines = [
    `${motion.scene}: change from frame to frame (mean |Δ| of RGB in steps of 255, measured at ${motion.size[0]}x${motion.size[1]}), pacing: ${motion.pacing}`,
    `  median ${f1(motion.median)}, max ${f1(motion.max)}, spread (max / median) ${f2(motion.spread)}`,
  ];
  for (const run of motion.runs) {
    const frames = run.from === run.to ? `frame ${run.from}` : `frames ${run.from}–${run.to}`;
    const when = `${f2(run.seconds[0])}–${f2(run.seconds[1])} s`;
    lines.push(
      run.kind === 'spike'
        ? `  spike: ${frames} (${when}): up to ${f1(run.extreme)} per frame, ${f1(run.extreme / motion.median)}× the median`
        : `  stall: ${frames} (${when}): down to ${f2(run.extreme)} per frame, nearly still`,
    );
  }
  if (motion.runs.length === 0) lines.push(`  no spikes (${SPIKE_FACTOR}× the median or more) and no stalls (under ${STALL_FACTOR}× the median for ${STALL_MIN_FRAMES} frames or more)`);
  if (other) lines.push(`  with pacing: ${other.pacing}: median ${f1(other.median)}, max ${f1(other.max)}, spread ${f2(other.spread)}, ${other.runs.filter((r) => r.kind === 'spike').length} spikes, ${other.runs.filter((r) => r.kind === 'stall').length} stalls`);
  return lines.join('\n');
}

const SCENE_COLOUR = '#2f6db5';
const OTHER_COLOUR = '#9aa3ad';
const SPIKE_COLOUR = '#d1495b';
const STALL_COLOUR = '#edae49';

/** The Vega-Lite chart: change per frame (and the other pacing, dashed), keyframes as rules, spikes and stalls as bands. */
export function motionChartSpec(motion: Motion, other?: Motion): Record<string, unknown> {
  const label = (m: Motion): string => `pacing: ${m.pacing}${m === motion ? '' : ' (for comparison)'}`;
  const points = [motion, ...(other ? [other] : [])].flatMap((m) => m.changes.map((change, frame) => ({ frame, change, series: label(m) })));
  const bands = motion.runs.map((r) => ({ from: r.from - 0.5, to: r.to + 0.5, kind: r.kind }));
  const keyframes = motion.keyframes.map((k) => ({ frame: k.frame, label: `keyframe ${k.index}` }));
  const layers: Array<Record<string, unknown>> = [];
  if (bands.length > 0) {
    layers.push({
      data: { values: bands },
      mark: { type: 'rect', opacity: 0.18 },
      encoding: {
        x: { field: 'from', type: 'quantitative' },
        x2: { field: 'to' },
        color: { field: 'kind', type: 'nominal', scale: { domain: ['spike', 'stall'], range: [SPIKE_COLOUR, STALL_COLOUR] }, legend: { title: null, orient: 'top-right' } },
      },
    });
  }
  if (keyframes.length > 0) {
    layers.push(
      { data: { values: keyframes }, mark: { type: 'rule', color: MUTED, strokeDash: [3, 3] }, encoding: { x: { field: 'frame', type: 'quantitative' } } },
      { data: { values: keyframes }, mark: { type: 'text', color: MUTED, angle: 270, align: 'right', baseline: 'bottom', dx: -4, dy: -2, fontSize: 10 }, encoding: { x: { field: 'frame', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
    );
  }
  layers.push({
    data: { values: points },
    mark: { type: 'line', strokeWidth: 1.6, interpolate: 'step-after' },
    encoding: {
      x: { field: 'frame', type: 'quantitative', title: 'frame', scale: { domain: [0, motion.changes.length] } },
      y: { field: 'change', type: 'quantitative', title: 'change per frame (mean |Δ| RGB, of 255)' },
      color: { field: 'series', type: 'nominal', scale: { domain: [label(motion), ...(other ? [label(other)] : [])], range: [SCENE_COLOUR, OTHER_COLOUR] }, legend: { title: null, orient: 'top' } },
      strokeDash: { field: 'series', type: 'nominal', scale: { domain: [label(motion), ...(other ? [label(other)] : [])], range: [[1, 0], [5, 3]] }, legend: null },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${motion.scene}: how much the picture changes per frame`,
      subtitle: `median ${f1(motion.median)}, max ${f1(motion.max)}, spread ${f2(motion.spread)}${other ? `  ·  with pacing: ${other.pacing}: spread ${f2(other.spread)}` : ''}  ·  measured at ${motion.size[0]}x${motion.size[1]}`,
      anchor: 'start',
      fontSize: 15,
      subtitleFontSize: 11,
      subtitleColor: MUTED,
      color: INK,
    },
    width: 640,
    height: 220,
    layer: layers,
    resolve: { scale: { color: 'independent' } },
    padding: 16,
    background: 'white',
    config: { font: FONT_FAMILY, view: { stroke: '#d5d9de' }, axis: { labelColor: INK, titleColor: INK } },
  };
}

export async function renderMotionChart(motion: Motion, other?: Motion): Promise<Chart> {
  return renderChart(motionChartSpec(motion, other));
}
