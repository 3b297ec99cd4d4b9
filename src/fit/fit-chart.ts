/**
 * The chart of a fit: the mini-batch loss (log scale) and the whole
 * picture's PSNR over the steps, one above the other on a shared step axis.
 */
import { FONT_FAMILY, INK, MUTED } from '../encode/drawing.js';
import { renderVegaLite, type ChartImage } from '../encode/chart.js';
import type { FitResult } from './fit-network.js';

const LOSS_COLOUR = '#2f6db5';
const PSNR_COLOUR = '#e0782a';
/** More points than this add nothing a chart can show; long fits are thinned evenly. */
const MOST_POINTS = 800;

export function fitChartSpec(result: FitResult, title: string): Record<string, unknown> {
  const every = Math.max(1, Math.ceil(result.history.length / MOST_POINTS));
  const loss = result.history.filter((_, i) => i % every === 0 || i === result.history.length - 1).map((p) => ({ step: p.step, loss: Math.max(p.loss, 1e-9) }));
  const quality = result.history.filter((p) => p.psnr !== undefined && Number.isFinite(p.psnr)).map((p) => ({ step: p.step, psnr: p.psnr }));
  const axis = { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', titleColor: MUTED, gridColor: '#eceef1' };
  const last = result.history.length > 0 ? result.history[result.history.length - 1].step : 0;
  const step = { field: 'step', type: 'quantitative', scale: { domain: [0, Math.max(1, last)], nice: false }, axis: { ...axis, title: 'step' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: `${result.steps} steps, best ${result.psnr.toFixed(2)} dB at step ${result.bestStep} (${result.stepsPerSecond.toFixed(1)} steps/s on ${result.workers} worker${result.workers === 1 ? '' : 's'})`,
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 11,
      subtitleColor: MUTED,
      color: INK,
    },
    vconcat: [
      {
        width: 520,
        height: 160,
        data: { values: loss },
        mark: { type: 'line', color: LOSS_COLOUR, strokeWidth: 1.2 },
        encoding: { x: step, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, axis: { ...axis, title: 'mini-batch loss (MSE, log)' } } },
      },
      {
        width: 520,
        height: 160,
        data: { values: quality },
        mark: { type: 'line', color: PSNR_COLOUR, strokeWidth: 1.8, point: { size: 10, color: PSNR_COLOUR } },
        encoding: { x: step, y: { field: 'psnr', type: 'quantitative', scale: { zero: false }, axis: { ...axis, title: 'whole picture PSNR (dB)' } } },
      },
    ],
    spacing: 18,
    padding: 20,
    background: 'white',
    config: { font: FONT_FAMILY, view: { stroke: '#d5d9de' } },
  };
}

export function renderFitChart(result: FitResult, title: string): Promise<ChartImage> {
  return renderVegaLite(fitChartSpec(result, title));
}
