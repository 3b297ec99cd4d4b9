/** The problems the loader reports for a scene's text, one message per line (none for a valid scene). */
import { SceneError } from '../src/errors.js';
import { parseSceneText, validateSceneData } from '../src/scene/load.js';

export function sceneProblems(text: string): string[] {
  try {
    const { data, source } = parseSceneText(text, 'scene.yaml');
    validateSceneData(data, source);
  } catch (error) {
    if (error instanceof SceneError) return error.message.split('\n');
    throw error;
  }
  return [];
}
