import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirectoryStore } from './directory-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function store(): { root: string; store: ReturnType<typeof createDirectoryStore> } {
  const root = mkdtempSync(join(tmpdir(), 'chunk-store-'));
  dirs.push(root);
  return { root, store: createDirectoryStore(root) };
}

const header = { sceneHash: '0123456789abcdef', start: 10, end: 13, width: 5, height: 3 };
const frame = (i: number): Uint8Array => new Uint8Array(5 * 3 * 4).map((_, k) => (k * 7 + i * 31) % 256);

async function readAll(iterable: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const frames: number[][] = [];
  for await (const f of iterable) frames.push(Array.from(f));
  return frames;
}

describe('the directory chunk store', () => {
  it('gives back exactly the frames written, and shows a chunk only once it is complete', async () => {
    const { root, store: s } = store();
    const key = '0123456789abcdef/10-13';
    const writer = await s.create(key, header);
    for (let i = 0; i < 3; i++) await writer.write(frame(i));
    expect(await s.has(key)).toBe(false);
    await writer.commit();
    expect(await s.has(key)).toBe(true);
    expect(await readAll(s.read(key, header))).toEqual([0, 1, 2].map((i) => Array.from(frame(i))));
    await s.removeScene(header.sceneHash);
    expect(readdirSync(root)).toEqual([]);
  });

  it('an aborted chunk leaves nothing behind', async () => {
    const { root, store: s } = store();
    const writer = await s.create('0123456789abcdef/10-13', header);
    await writer.write(frame(0));
    await writer.abort();
    expect(readdirSync(join(root, '0123456789abcdef'))).toEqual([]);
  });

  it('never mixes in a chunk of another scene or range, nor a damaged one', async () => {
    const { root, store: s } = store();
    const key = '0123456789abcdef/10-13';
    const writer = await s.create(key, header);
    for (let i = 0; i < 3; i++) await writer.write(frame(i));
    await writer.commit();
    await expect(readAll(s.read(key, { ...header, sceneHash: 'fedcba9876543210' }))).rejects.toThrow(/not the chunk expected \(sceneHash 0123456789abcdef, expected fedcba9876543210\)/);
    await expect(readAll(s.read(key, { ...header, end: 14 }))).rejects.toThrow(/not the chunk expected/);
    const path = join(root, `${key}.chunk`);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 9));
    await expect(readAll(s.read(key, header))).rejects.toThrow(/chunk .* (is damaged|ends before)/);
  });

  it('refuses keys that could point outside the store', async () => {
    const { store: s } = store();
    await expect(s.create('../../etc/passwd', header)).rejects.toThrow(/not a chunk key/);
    await expect(s.removeScene('..')).rejects.toThrow(/not a scene hash/);
  });
});
