/** Fitting a scene's network to a picture: data-parallel training on worker threads, and its outputs. */
export * from './fit-network.js';
export * from './target-image.js';
export * from './fit-chart.js';
export * from './fit-outputs.js';
