/**
 * The JSON Schema of the scene format, generated from the zod schema the
 * loader validates with, for editors: with the YAML language server, a scene
 * starting `# yaml-language-server: $schema=../scene.schema.json` gets
 * completion, hover docs and checks.
 */
import { z } from 'zod';
import { sceneKeyDescriptions } from './options/table.js';
import { sceneSchema } from './schema.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; description?: string } & Record<string, unknown>;

/** Gives the key at `path` (e.g. output.gif.maxBytes) its description; a key the schema does not have is a mistake in the option table. */
function describeKey(schema: JsonSchema, path: string, description: string): void {
  const node = path.split('.').reduce<JsonSchema | undefined>((at, part) => at?.properties?.[part], schema);
  if (!node) throw new Error(`the option table describes the scene key ${path}, which the scene schema does not have`);
  // The description first, where editors and readers look for it.
  const rest = Object.entries(node).filter(([name]) => name !== 'description');
  for (const [name] of rest) delete node[name];
  Object.assign(node, { description }, Object.fromEntries(rest));
}

export function sceneJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(sceneSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
  // The keys options override are described once, in the option table.
  for (const { key, help } of sceneKeyDescriptions()) describeKey(schema, key, help);
  return {
    ...schema,
    $id: 'https://cppn-motion.dev/scene.schema.json',
    title: 'cppn-motion scene',
    description: 'A cppn-motion scene: a small random neural network (CPPN) and keyframes that move through its parameters.',
  };
}

export function sceneJsonSchemaText(): string {
  return `${JSON.stringify(sceneJsonSchema(), null, 2)}\n`;
}
