/**
 * The activation sheet: one panel per activation, each with the function and
 * its derivative over [−5, 5] and the histogram of its output for a standard
 * normal input (with that output's mean and standard deviation). Charted with
 * Vega-Lite (see chart.ts).
 */
import { ACTIVATION_DEFAULTS, ACTIVATIONS, activation, type Activation, type ActivationName } from '../core/index.js';
import { FONT_FAMILY, INK, MUTED } from '../encode/drawing.js';
import { renderVegaLite as renderChart, type ChartImage as Chart } from '../encode/chart.js';
import { normalResponse } from './normal-response.js';

const FUNCTION_COLOUR = '#2f6db5';
const DERIVATIVE_COLOUR = '#e0782a';
const HISTOGRAM_COLOUR = '#4f9a8f';
const CURVE_LABELS = ['f(x)', 'f′(x)'];

/** The parameters an activation is drawn with, as text ("f = 1", "R = 3.758, n = 2"). */
function parameterText(a: Activation): string {
  const params = ACTIVATIONS[a.name].params;
  const parts: string[] = [];
  if (a.name === 'logistic') parts.push(`R = ${a.r}`, `n = ${a.iterations}`, `${a.squash} squash`);
  else {
    if (params.includes('frequency')) parts.push(`f = ${a.frequency}`);
    if (params.includes('slope')) parts.push(`slope = ${a.slope}`);
    if (params.includes('alpha')) parts.push(`${a.name === 'swish' ? 'β' : 'α'} = ${a.alpha}`);
  }
  return parts.join(', ');
}

/** Three decimals, without a minus sign on a value that rounds to zero. */
function fixed(v: number): string {
  return (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3);
}

function panel(a: Activation): Record<string, unknown> {
  const definition = ACTIVATIONS[a.name];
  const curves: Array<{ x: number; y: number; curve: string }> = [];
  for (let i = 0; i <= 400; i++) {
    const x = -5 + i * 0.025;
    curves.push({ x, y: definition.reference(x, a), curve: CURVE_LABELS[0] }, { x, y: definition.derivative(x, a), curve: CURVE_LABELS[1] });
  }
  const response = normalResponse(a);
  const params = parameterText(a);
  const axis = { labelFontSize: 10, titleFontSize: 10, titleFontWeight: 'normal', titleColor: MUTED, grid: true, gridColor: '#eceef1' };
  return {
    title: { text: a.name === 'logistic' ? 'logistic map' : a.name, subtitle: [definition.summary, params || 'no parameters'], anchor: 'start' },
    hconcat: [
      {
        width: 200,
        height: 130,
        layer: [
          { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#b8bec7', strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          {
            data: { values: curves },
            mark: { type: 'line', strokeWidth: 2, clip: true },
            encoding: {
              x: { field: 'x', type: 'quantitative', scale: { domain: [-5, 5], nice: false }, axis: { ...axis, title: 'x', values: [-4, -2, 0, 2, 4] } },
              y: { field: 'y', type: 'quantitative', axis: { ...axis, title: null, tickCount: 5 } },
              color: { field: 'curve', type: 'nominal', scale: { domain: CURVE_LABELS, range: [FUNCTION_COLOUR, DERIVATIVE_COLOUR] }, legend: null },
              strokeDash: { field: 'curve', type: 'nominal', scale: { domain: CURVE_LABELS, range: [[1, 0], [5, 3]] }, legend: null },
            },
          },
        ],
      },
      {
        width: 150,
        height: 130,
        title: { text: `mean ${fixed(response.mean)} · std ${fixed(response.std)}`, fontSize: 11, fontWeight: 'bold', color: INK, anchor: 'middle', offset: 6 },
        layer: [
          {
            data: { values: response.bins },
            mark: { type: 'bar', color: HISTOGRAM_COLOUR, binSpacing: 0 },
            encoding: {
              x: { field: 'from', type: 'quantitative', bin: 'binned', scale: { zero: false, nice: false }, axis: { ...axis, title: 'f(z), z ~ N(0, 1)', tickCount: 4 } },
              x2: { field: 'to' },
              y: { field: 'share', type: 'quantitative', axis: { ...axis, title: null, format: '.0%', tickCount: 4 } },
            },
          },
          {
            data: { values: [{ mean: response.mean }] },
            mark: { type: 'rule', color: INK, strokeWidth: 1.5, strokeDash: [4, 3] },
            encoding: { x: { field: 'mean', type: 'quantitative' } },
          },
        ],
      },
    ],
  };
}

/** The Vega-Lite specification of the sheet, for the activations given (default: the whole catalogue). */
export function activationSheetSpec(names: readonly ActivationName[] = Object.keys(ACTIVATIONS) as ActivationName[]): Record<string, unknown> {
  const panels = names.map((name) => panel(activation(name, ACTIVATION_DEFAULTS)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: names.length === 1 ? `The ${names[0]} activation` : 'Activations',
      subtitle: [
        'Left: f(x) (solid blue) and its derivative f′(x) (dashed orange) on [−5, 5].',
        'Right: histogram of f(z) for a standard normal input z ~ N(0, 1); the dashed line marks the mean.',
      ],
      anchor: 'start',
      fontSize: 20,
      subtitleFontSize: 12,
      subtitleColor: MUTED,
      offset: 14,
    },
    concat: panels,
    columns: Math.min(names.length, 4),
    spacing: { row: 30, column: 36 },
    padding: 24,
    background: 'white',
    config: {
      font: FONT_FAMILY,
      view: { stroke: '#d5d9de' },
      title: { fontSize: 14, subtitleFontSize: 10.5, subtitleColor: MUTED, color: INK },
      concat: { spacing: 14 },
    },
  };
}

export type ActivationSheet = Chart;

export interface ActivationSheetOptions {
  /** Which panels, in order (default: the whole catalogue). */
  only?: readonly ActivationName[];
  /** Pixels per chart unit in the PNG (default 2, for sharp text). */
  scale?: number;
}

export async function renderActivationSheet(options: ActivationSheetOptions = {}): Promise<ActivationSheet> {
  return renderChart(activationSheetSpec(options.only), options.scale);
}
