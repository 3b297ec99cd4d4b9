/** Exploring a scene: breeding variations, and writing what is kept back into the scene's YAML. */
export * from './breed.js';
export * from './mutations.js';
export * from './scene-edits.js';
export * from './keep.js';
