/** Writes scene.schema.json from the scene schema (run `npm run schema` after changing it). */
import { writeFileSync } from 'node:fs';
import { sceneJsonSchemaText } from '../src/scene/json-schema.js';

writeFileSync(new URL('../scene.schema.json', import.meta.url), sceneJsonSchemaText());
console.log('wrote scene.schema.json');
