import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machineId } from '../files/index.js';
import { createDirectoryStore } from './directory-store.js';
import { readRecord, storedBytes, writeRecord } from './piece-record.js';
import { toolIdentity } from './tool-identity.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function store(): { root: string; store: ReturnType<typeof createDirectoryStore> } {
  const root = mkdtempSync(join(tmpdir(), 'chunk-store-'));
  dirs.push(root);
  return { root, store: createDirectoryStore(root) };
}

const key = '0123456789abcdef/10-13';
const expected = { kind: 'piece' as const, tool: toolIdentity(['gif']), sceneHash: 'fedcba9876543210', key, range: { start: 10, end: 13 }, width: 5, height: 3, formats: ['gif' as const] };

async function writePiece(s: ReturnType<typeof createDirectoryStore>, bytes = 'GIF bytes'): Promise<void> {
  const writer = await s.create(key);
  writeFileSync(join(writer.folder, 'piece.gif'), bytes);
  await writeRecord(writer.folder, { ...expected, files: { gif: { name: 'piece.gif', bytes: await storedBytes(join(writer.folder, 'piece.gif')) } } });
  await writer.commit();
}

describe('the directory chunk store', () => {
  it('shows an object only once it is complete, and gives back what was written', async () => {
    const { root, store: s } = store();
    const writer = await s.create(key);
    writeFileSync(join(writer.folder, 'piece.gif'), 'GIF bytes');
    expect(await s.has(key)).toBe(false);
    await writeRecord(writer.folder, { ...expected, files: { gif: { name: 'piece.gif', bytes: 9 } } });
    await writer.commit();
    expect(await s.has(key)).toBe(true);
    const reader = await s.open(key);
    expect((await readRecord(reader.folder, expected)).files.gif).toEqual({ name: 'piece.gif', bytes: 9 });
    await s.removeSet('0123456789abcdef');
    expect(readdirSync(root)).toEqual([]);
  });

  it('an aborted object leaves nothing behind; a second copy of a finished one keeps the first', async () => {
    const { root, store: s } = store();
    const writer = await s.create(key);
    writeFileSync(join(writer.folder, 'piece.gif'), 'half');
    await writer.abort();
    // Its set's folder, made for it alone, went with it.
    expect(existsSync(join(root, '0123456789abcdef'))).toBe(false);
    await writePiece(s, 'first');
    await writePiece(s, 'second, longer');
    expect(readdirSync(join(root, '0123456789abcdef'))).toEqual(['10-13']);
    expect((await readRecord((await s.open(key)).folder, expected)).files.gif?.bytes).toBe(5);
  });

  it('never mixes in an object of another scene, range or version, nor a damaged one', async () => {
    const { root, store: s } = store();
    await writePiece(s);
    const folder = (await s.open(key)).folder;
    await expect(readRecord(folder, { ...expected, sceneHash: '0000000000000000' })).rejects.toThrow(/is not the one expected \(sceneHash "fedcba9876543210", expected "0000000000000000"\)/);
    await expect(readRecord(folder, { ...expected, range: { start: 10, end: 14 } })).rejects.toThrow(/not the one expected \(range/);
    await expect(readRecord(folder, { ...expected, tool: { ...expected.tool, version: '0.0.1' } })).rejects.toThrow(/not the one expected \(tool/);
    writeFileSync(join(root, key, 'piece.gif'), 'GIF');
    await expect(readRecord(folder, expected)).rejects.toThrow(/is damaged: its gif holds 3 bytes, not 9/);
  });

  it('clears its own dead processes\' temporary objects, but not another machine\'s (the folder may be shared)', async () => {
    const { root, store: s } = store();
    const set = join(root, '0123456789abcdef');
    mkdirSync(join(set, `.10-13.partial-${machineId()}-999999-00000000`), { recursive: true });
    const other = machineId() === 'abcdef01' ? 'abcdef02' : 'abcdef01';
    mkdirSync(join(set, `.10-13.partial-${other}-999999-00000000`), { recursive: true });
    mkdirSync(join(set, `.10-13.partial-${machineId()}-${process.pid}-00000000`), { recursive: true });
    await writePiece(s);
    expect(readdirSync(set).sort()).toEqual([`.10-13.partial-${machineId()}-${process.pid}-00000000`, `.10-13.partial-${other}-999999-00000000`, '10-13'].sort());
  });

  it('says what is wrong with a --store that cannot be used, in words', async () => {
    const { root } = store();
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(createDirectoryStore(file).ready()).rejects.toThrow(/cannot write to the chunk store .*a-file: a file stands where a folder is needed/);
    await expect(createDirectoryStore(join(file, 'below')).ready()).rejects.toThrow(/a file stands where a folder is needed/);
    if (process.getuid?.() !== 0) {
      const locked = join(root, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      await expect(createDirectoryStore(join(locked, 'store')).ready()).rejects.toThrow(/permission denied/);
    }
    expect(existsSync(join(file, 'below'))).toBe(false);
  });

  it('refuses keys that could point outside the store', async () => {
    const { store: s } = store();
    await expect(s.create('../../etc/passwd')).rejects.toThrow(/not a chunk store key/);
    await expect(s.removeSet('..')).rejects.toThrow(/not a set/);
  });
});
