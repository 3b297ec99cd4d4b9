/** The tool's version, from package.json: for --version, batch manifests, and the cluster's jobs (a worker refuses another version's). */
import { readFileSync } from 'node:fs';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
