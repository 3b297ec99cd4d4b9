/**
 * Files that carry a stored scene, made by hand the way another program (or
 * someone with a hex editor) could make them: PNG text chunks, GIF comments,
 * RIFF chunks, compressed comments, with honest or lying lengths. And the CLI
 * run with a deadline, for inputs that used to hang it.
 */
import { spawn } from 'node:child_process';
import { createDeflateRaw, constants } from 'node:zlib';
import { commentExtension } from '../src/encode/gif-file.js';
import { encodePng } from '../src/encode/png.js';
import { CLI, ROOT, type CliResult } from './helpers.js';

/** A small valid scene, as outputs store it (JSON), with `extra` keys set. */
export function storedScene(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name: 'stored',
    output: { size: [8, 6], fps: 4, duration: 1, formats: ['gif'] },
    network: { inputs: ['x', 'y', 'r'], layers: { depth: 2, width: 4 }, output: { channels: 3, activation: 'sigmoid' } },
    keyframes: [{ at: 0, seed: 1, zoom: 1 }],
    ...extra,
  });
}

/** An 8×6 PNG whose iTXt chunk holds `text` under our keyword. */
export function pngWithText(text: string): Buffer {
  return encodePng(new Uint8Array(8 * 6 * 4).fill(128), 8, 6, text);
}

/** The same PNG, its text chunk's length field replaced by `claim` (the file keeps its real size). */
export function pngWithLyingText(claim: number): Buffer {
  const png = pngWithText(storedScene());
  const at = png.indexOf('iTXt') - 4;
  png.writeUInt32BE(claim, at);
  return png;
}

/** A 1×1 GIF with `text` in a comment extension before its picture. */
export function gifWithComment(text: string): Buffer {
  const header = Buffer.from('GIF89a', 'latin1');
  // 1×1, a global colour table of two colours (black, white), background 0.
  const screen = Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
  const image = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]);
  return Buffer.concat([header, screen, commentExtension(text), image]);
}

/** A RIFF/WebP container holding one chunk whose length field says `claim` (the real data is `data`). */
export function riffWithChunk(fourcc: string, data: Buffer, claim = data.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(claim >>> 0, 4);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), head, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/**
 * A stored comment in the packed form (`cppn-motion:deflate:` + base64) that
 * unpacks to `megabytes` MB of spaces: about 1 KB per MB, so a 1.5 GB bomb
 * fits in a 2 MB file.
 */
export async function deflateBomb(megabytes: number): Promise<string> {
  const deflate = createDeflateRaw({ level: 9, strategy: constants.Z_RLE });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const megabyte = Buffer.alloc(1 << 20, 32);
  for (let i = 0; i < megabytes; i++) if (!deflate.write(megabyte)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end();
  await done;
  return `cppn-motion:deflate:${Buffer.concat(parts).toString('base64')}`;
}

/** `cppn-motion ...args`, killed after `ms` if it has not ended by then (`timedOut` says so). */
export function runCliWithin(args: string[], ms: number, options: { cwd?: string } = {}): Promise<CliResult & { timedOut: boolean; seconds: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}
