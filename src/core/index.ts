/** The CPPN core: pure TypeScript, no I/O, no Node-only APIs. */
export * from './activations.js';
export * from './colour.js';
export * from './det-math.js';
export * from './features.js';
export * from './frame.js';
export * from './init.js';
export * from './interpolate.js';
export * from './kernel/index.js';
export * from './network.js';
export * from './random.js';
export * from './reference.js';
export * from './train/index.js';
