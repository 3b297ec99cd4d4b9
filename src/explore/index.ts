/** Exploring from the command line: variations of a scene written as scene files, with a contact sheet. */
export { exploreToFolder, type ExploreOptions, type ExploreResult, type ExploredVariation } from './explore-to-folder.js';
