/** Scenes: the schema, loading with positions, keyframes, easing and the timeline. */
export * from './easing.js';
export * from './frames.js';
export * from './load.js';
export * from './load-file.js';
export * from './paths.js';
export * from './model.js';
export * from './schema.js';
export * from './parameters.js';
export * from './output-formats.js';
export * from './pacing.js';
export * from './no-op-check.js';
export * from './moments.js';
export * from './timeline.js';
export * from './weights-file.js';
export * from './overrides.js';
export * from './json-schema.js';
export * from './seed-list.js';
export { closest } from './suggest.js';
