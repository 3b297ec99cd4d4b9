/**
 * Vega-Lite charts as PNG without a browser: compiled by vega-lite, laid out
 * and drawn to SVG by vega, rasterised by resvg with the system fonts vega
 * measured the text with.
 */
export interface ChartImage {
  png: Buffer;
  svg: string;
  width: number;
  height: number;
}

/** Vega's text measurement hooks (exported by vega, not in its type definitions). */
interface VegaTextMetrics {
  textMetrics: { width: (item: object, text: unknown) => number };
  font: (item: object) => string;
}

/** Renders a Vega-Lite specification; `scale` is pixels per chart unit (2 gives sharp text). */
export async function renderVegaLite(spec: Record<string, unknown>, scale = 2): Promise<ChartImage> {
  // Loaded on demand: charting libraries are large, and only a few commands need them.
  const [vegaLite, vega, { Resvg }, { createCanvas }] = await Promise.all([import('vega-lite'), import('vega'), import('@resvg/resvg-js'), import('@napi-rs/canvas')]);
  // Vega measures text with a canvas when it has one and otherwise guesses
  // (generously), which spaces the panels unevenly; measure with the same
  // system fonts that resvg draws with.
  const measure = createCanvas(1, 1).getContext('2d');
  const scenegraph = vega as unknown as VegaTextMetrics;
  scenegraph.textMetrics.width = (item, text) => {
    measure.font = scenegraph.font(item);
    return measure.measureText(String(text ?? '').trim()).width;
  };
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { png: image.asPng(), svg, width: image.width, height: image.height };
}
