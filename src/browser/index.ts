/**
 * The browser entry point (`cppn-motion/browser`): the network core, scene
 * validation and the timeline, with nothing from Node. A page that parses a
 * scene's YAML with these gets the same frames, parameter for parameter, as
 * the command line. Reading files, ffmpeg and worker threads stay in the Node
 * entry point (`cppn-motion`).
 */
export * from '../core/index.js';
export * from '../scene/easing.js';
export * from '../scene/frames.js';
export * from '../scene/load.js';
export * from '../scene/model.js';
export * from '../scene/nudge.js';
export * from '../scene/parameters.js';
export * from '../scene/explore/index.js';
export * from '../scene/overrides.js';
export * from '../scene/paths.js';
export * from '../scene/schema.js';
export * from '../scene/keyframe-time.js';
export * from '../scene/seed-list.js';
export * from '../scene/timeline.js';
export * from '../scene/weights-file.js';
export { SceneError, UserError, formatKeyPath, formatProblem, type SceneProblem } from '../errors.js';
export { commandLine, flagWord } from '../scene/options/table.js';
