/**
 * The cppn-motion library API.
 *
 *   const scene = loadScene('scenes/artsy.yaml');
 *   const { width, height, data } = await renderStill(scene, { at: 1.5 });
 */
export * from './core/index.js';
export * from './scene/index.js';
export * from './inspect/index.js';
export { renderStill, type Still, type StillOptions } from './render/still.js';
export { FrameRenderer } from './render/frame-renderer.js';
export { createRenderPool, type RenderPool } from './render/pool.js';
export { renderVideo, type Progress, type VideoOptions, type VideoResult } from './render/video.js';
export { scheduleFrames, type FrameStream, type ScheduleOptions } from './render/scheduler.js';
export { createLocalBackend, type LocalBackend } from './render/local-backend.js';
export type { FrameBackend, FrameRange, RenderedBy, RenderedUnit } from './render/frame-backend.js';
export type { PixelBackend } from './render/pixel-backend.js';
export { createFrameBackend, decideBackend, withRenderedBy, type BackendDecision, type BackendKind, type BackendRequest, type ChosenBackend, type FrameBackendOptions } from './render/backend-choice.js';
export type { GpuBackend, GpuBackendOptions } from './render/gpu/gpu-backend.js';
export type { AdapterDescription } from './render/gpu/dawn.js';
export { createClusterBackend, createDirectoryStore, startChunkWorker, type ChunkStore, type ClusterBackend } from './cluster/index.js';
export { encodePng, readPngMetadata, decodePng } from './encode/png.js';
export { UserError, SceneError, GpuError, type SceneProblem, option, words, say, libraryName, type OptionKey, type OptionNamer, type OptionRef, type Text, type Words } from './errors.js';
export { fitNetwork, loadTargetImage, writeFitOutputs, fitOutputPaths, fittedScene, fitChartSpec, renderFitChart, defaultFitSize, type FitImage, type FitOptions, type FitProgress, type FitResult, type FitPoint, type FitStop } from './fit/index.js';
