/** The live preview: a local server for the page that plays scenes in the browser. */
export { startPreviewServer, PREVIEW_HOST, type PreviewServer, type PreviewServerOptions } from './server.js';
export { findScenes, type PreviewScene } from './scene-files.js';
