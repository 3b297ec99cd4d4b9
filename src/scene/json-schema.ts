/**
 * The JSON Schema of the scene format, generated from the zod schema the
 * loader validates with, for editors: with the YAML language server, a scene
 * starting `# yaml-language-server: $schema=../scene.schema.json` gets
 * completion, hover docs and checks.
 */
import { z } from 'zod';
import { sceneSchema } from './schema.js';

export function sceneJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(sceneSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
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
