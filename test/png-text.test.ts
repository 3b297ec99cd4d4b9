/** The preview's saved PNGs carry the scene where `still --from` reads it. */
import { describe, expect, it } from 'vitest';
import { encodePng, readPngMetadata } from '../src/encode/png.js';
import { METADATA_KEYWORD, withPngText } from '../src/preview/page/png-text.js';

describe('PNG text chunk written in the browser', () => {
  it('is read back by the command line, byte for byte as still writes it', () => {
    const rgba = new Uint8Array(4 * 4 * 4).fill(200);
    const scene = JSON.stringify({ name: 'déjà vu', seed: 7 });
    const plain = new Uint8Array(encodePng(rgba, 4, 4));
    const browser = Buffer.from(withPngText(plain, METADATA_KEYWORD, scene));
    expect(readPngMetadata(browser)).toBe(scene);
    expect(browser.equals(encodePng(rgba, 4, 4, scene))).toBe(true);
  });
});
