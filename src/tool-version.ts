/** The tool's version, from package.json: for --version, batch manifests, and the cluster's jobs (a worker refuses another version's). */
import { readFileSync } from 'node:fs';
import { PACKAGE_JSON } from './package-files.js';

export const VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
