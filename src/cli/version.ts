/** The tool's version, from package.json (for --version and batch manifests). */
export { VERSION } from '../tool-version.js';
