/**
 * Looking inside the network: activation sheets, per-layer statistics, the
 * inner images of every unit, side-by-side comparisons, and the grey-goo check.
 */
export * from './activation-sheet.js';
export * from './compare.js';
export * from './describe.js';
export * from './families.js';
export * from './grey-goo.js';
export * from './inspect-scene.js';
export * from './layer-stats.js';
export * from './neuron-maps.js';
export * from './normal-response.js';
export * from './sample-frame.js';
export * from './noise.js';
export * from './motion.js';
export { renderVegaLite, type ChartImage } from '../encode/chart.js';
