import { describe, expect, it } from 'vitest';
import { folderOf, isAbsolutePath, resolvePath, stemOf } from './paths.js';

describe('paths without node:path', () => {
  it('resolves weights files against the scene folder as Node does', () => {
    expect(resolvePath('/work/scenes', 'weights/a.json')).toBe('/work/scenes/weights/a.json');
    expect(resolvePath('/work/scenes/', './w/../a.json')).toBe('/work/scenes/a.json');
    expect(resolvePath('/work/scenes', '../../../x.json')).toBe('/x.json');
    expect(resolvePath('/work/scenes', '/abs/w.json')).toBe('/abs/w.json');
  });

  it('knows absolute paths, folders and stems', () => {
    expect(isAbsolutePath('/a')).toBe(true);
    expect(isAbsolutePath('C:\\scenes\\a.json')).toBe(true);
    expect(isAbsolutePath('weights/a.json')).toBe(false);
    expect(folderOf('/work/scenes/drift.yaml')).toBe('/work/scenes');
    expect(stemOf('scenes/drift.yaml')).toBe('drift');
  });
});
