/** Rendering: the frame scheduler and its backends, videos and stills. */
export * from './backend-choice.js';
export * from './frame-backend.js';
export * from './frame-renderer.js';
export * from './local-backend.js';
export * from './pool.js';
export * from './scene-payload.js';
export * from './scheduler.js';
export * from './still.js';
export * from './video.js';
