/** Series: one scene, many seeds and parameter combinations, rendered as one batch. */
export * from './contact-sheet.js';
export * from './manifest.js';
export * from './run-batch.js';
export * from './series-folder.js';
export * from './series.js';
