/** Teaching a network: the backward pass, optimisers and mini-batches. Pure, like the rest of the core. */
export * from './batches.js';
export * from './gradient.js';
export * from './optimiser.js';
export * from './parameters.js';
export * from './quality.js';
export * from './trainable.js';
export * from './training.js';
export * from './image-set.js';
