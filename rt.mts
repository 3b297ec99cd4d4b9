import { readFileSync } from 'node:fs';
import { parseSceneText, validateSceneData } from './src/scene/index.js';
import { breed, rewriteSceneText } from './src/scene/explore/index.js';
for (const f of ['scenes/drift.yaml', 'scenes/orbit.yaml', 'scenes/weights-morph.yaml', 'scenes/latent-walk.yaml']) {
  const text = readFileSync(f, 'utf8');
  const scene = validateSceneData(parseSceneText(text, f).data);
  const t0 = performance.now();
  const vs = breed(scene, { seed: 5 });
  console.log(f, (performance.now()-t0).toFixed(0), 'ms', vs.map(v => v.label));
  for (const v of vs.slice(0, 8)) {
    const out = rewriteSceneText(text, v.scene, f);
    const a = text.split('\n'), b = out.split('\n');
    const diff = b.filter(l => !a.includes(l)); const gone = a.filter(l => !b.includes(l));
    console.log('  ', v.label, '| -', JSON.stringify(gone), '| +', JSON.stringify(diff));
  }
}
