/** Writes docs/options.md from the option table (run `npm run docs:options` after changing it). */
import { writeFileSync } from 'node:fs';
import { optionsReference } from '../src/cli/options-reference.js';

writeFileSync(new URL('../docs/options.md', import.meta.url), optionsReference());
console.log('wrote docs/options.md');
