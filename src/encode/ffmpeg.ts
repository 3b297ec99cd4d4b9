/**
 * The one module that knows how to find and run ffmpeg. It is spawned
 * directly, with arguments as an array (no shell), raw frames on stdin.
 *
 * Where ffmpeg comes from, in order: $FFMPEG_PATH; the ffmpeg-static package
 * when it is installed and its download succeeded; the binary shipped inside
 * @ffmpeg-installer/ffmpeg (a dependency, so `npm ci` alone gives a working
 * ffmpeg, with no download from outside the npm registry); `ffmpeg` on PATH.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { FileInputError, formatBytes, requireRegularFile } from '../files/index.js';
import { INPUT_LIMITS } from '../scene/input-limits.js';

const require = createRequire(import.meta.url);

export interface FfmpegLocation {
  path: string;
  /** How it was found, for `cppn-motion doctor`. */
  source: string;
}

export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPackage(name: string, pick: (mod: unknown) => unknown): string | undefined {
  try {
    const path = pick(require(name));
    return typeof path === 'string' && existsSync(path) && executable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate) && executable(candidate)) return candidate;
  }
  return undefined;
}

/** The search beyond FFMPEG_PATH touches the disk; its answer does not change while we run. */
let cachedSearch: FfmpegLocation | undefined;

export function locateFfmpeg(): FfmpegLocation {
  // FFMPEG_PATH is read every time: a library user may set it after a first render.
  const explicit = process.env.FFMPEG_PATH;
  if (explicit) {
    if (!existsSync(explicit) || !executable(explicit)) {
      throw new FfmpegError(`FFMPEG_PATH is ${explicit}, which is not an executable file; point it at ffmpeg or unset it`);
    }
    return { path: explicit, source: 'FFMPEG_PATH' };
  }
  if (cachedSearch) return cachedSearch;
  const found =
    (() => {
      const p = fromPackage('ffmpeg-static', (m) => m);
      return p && { path: p, source: 'ffmpeg-static' };
    })() ??
    (() => {
      const p = fromPackage('@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path);
      return p && { path: p, source: '@ffmpeg-installer/ffmpeg' };
    })() ??
    (() => {
      const p = onPath('ffmpeg');
      return p && { path: p, source: 'PATH' };
    })();
  if (!found) {
    throw new FfmpegError('ffmpeg was not found: run `npm ci` (it installs @ffmpeg-installer/ffmpeg), install ffmpeg on PATH, or set FFMPEG_PATH');
  }
  cachedSearch = found;
  return found;
}

export interface FfmpegInfo {
  location: FfmpegLocation;
  version: string;
  encoders: Set<string>;
  filters: Set<string>;
}

let cachedVersion: { path: string; version: string } | undefined;

/**
 * The first line of `ffmpeg -version`, which names its build: the bytes a
 * format's encoder writes depend on it (a cluster's pieces must all come
 * from the same build to be joined).
 */
export function ffmpegVersion(): string {
  const { path } = locateFfmpeg();
  if (cachedVersion?.path !== path) {
    const result = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8' });
    cachedVersion = { path, version: (result.stdout ?? '').split('\n')[0]?.trim() || 'unknown' };
  }
  return cachedVersion.version;
}

/** Version and capabilities, for `doctor`. */
export function ffmpegInfo(): FfmpegInfo {
  const location = locateFfmpeg();
  const run = (args: string[]): string => spawnSync(location.path, ['-hide_banner', ...args], { encoding: 'utf8' }).stdout ?? '';
  const version = run(['-version']).split('\n')[0]?.trim() ?? 'unknown';
  const names = (text: string, column: number): Set<string> =>
    new Set(
      text
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[column])
        .filter((v): v is string => Boolean(v)),
    );
  return { location, version, encoders: names(run(['-encoders']), 1), filters: names(run(['-filters']), 1) };
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills every ffmpeg still running, at once (for a second Ctrl-C, which exits without waiting). */
export function killAllFfmpeg(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** What ffmpeg prints when its output could not be written, even when it then exits 0. */
const WRITE_FAILURE = /No space left on device|Disk quota exceeded|Input\/output error|Read-only file system|Error writing trailer|Error submitting a packet to the muxer|Could not write header|av_interleaved_write_frame\(\)/;

/** How much of ffmpeg's error output to keep for messages. */
const STDERR_TAIL = 4000;

/**
 * A running ffmpeg. `write` respects back-pressure (it resolves once the pipe
 * has taken the frame), so frames never pile up in memory; `end` closes stdin
 * and resolves when ffmpeg exits cleanly, or rejects with its last words.
 */
export class FfmpegProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private signal: NodeJS.Signals | null = null;
  private failure: Error | undefined;

  constructor(
    args: string[],
    private readonly label: string,
  ) {
    const { path } = locateFfmpeg();
    this.child = spawn(path, ['-hide_banner', '-nostats', '-loglevel', 'error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    this.child.stdout.resume();
    // A dead ffmpeg makes stdin writes fail with EPIPE; the exit status tells the real story.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.failure = new FfmpegError(`${label}: ffmpeg could not start (${error.message})`);
        resolve(null);
      });
      this.child.on('close', (code, signal) => {
        running.delete(this.child);
        this.signal = signal;
        resolve(code);
      });
    });
  }

  private async failed(): Promise<never> {
    const code = await this.exited;
    const how = code === null ? `killed by ${this.signal ?? 'a signal'}` : code === 0 ? 'its writes failed' : `exit code ${code}`;
    const disk = /No space left on device|Disk quota exceeded/.test(this.stderr) ? ' (the disk is full)' : '';
    throw this.failure ?? new FfmpegError(`${this.label}: ffmpeg stopped (${how})${disk}${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-6).join(' | ')}` : ''}`);
  }

  /**
   * Resolves once ffmpeg's pipe has taken all of `data` (the write callback),
   * so the caller may reuse the buffer: Node does not copy what it writes.
   */
  write(data: Uint8Array): Promise<void> {
    if (this.child.exitCode !== null || this.failure || this.child.stdin.destroyed) return this.failed();
    return new Promise((resolve, reject) => {
      this.child.stdin.write(data, (error) => (error ? this.failed().catch(reject) : resolve()));
    });
  }

  /**
   * Closes stdin and waits for ffmpeg. A clean exit is not enough: ffmpeg
   * exits 0 when writing its output failed (a full disk while writing the MP4
   * trailer), saying so only on stderr.
   */
  async end(): Promise<void> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0 || WRITE_FAILURE.test(this.stderr)) await this.failed();
  }

  /** Stops ffmpeg now (interrupts, failures elsewhere). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * How long ffmpeg may take to read a file's tags. It reads only the headers,
 * so a file that keeps it longer is damaged or made to stall it; without a
 * limit a --from of such a file would wait for ever.
 */
const METADATA_TIMEOUT_MS = 20_000;
/** ffmetadata escapes some characters with a backslash: room for a stored scene twice over, and the other tags. */
const METADATA_OUTPUT_LIMIT = 2 * INPUT_LIMITS.storedScene + 64 * 1024;

/**
 * Reads a container's metadata tags with ffmpeg's ffmetadata writer, in the
 * background (the event loop keeps running), for at most METADATA_TIMEOUT_MS
 * and METADATA_OUTPUT_LIMIT bytes. Only a regular file is handed to ffmpeg,
 * and by a file: URL, so a name such as `pipe:0.mp4` is never taken for one of
 * ffmpeg's protocols.
 */
export async function readFfmpegMetadata(file: string, timeoutMs = METADATA_TIMEOUT_MS): Promise<Record<string, string>> {
  requireRegularFile(file, file);
  const { path } = locateFfmpeg();
  const child = spawn(path, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', `file:${resolve(file)}`, '-f', 'ffmetadata', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let outLength = 0;
  let stderr = '';
  let refusal: Error | undefined;
  const stop = (error: Error): void => {
    refusal ??= error;
    child.kill('SIGKILL');
  };
  child.stdout.on('data', (chunk: Buffer) => {
    outLength += chunk.length;
    if (outLength > METADATA_OUTPUT_LIMIT) return stop(new FileInputError(`${file}: its tags are larger than a stored scene may be (${formatBytes(INPUT_LIMITS.storedScene)}); it is damaged or not a cppn-motion file`, 'too-large'));
    out.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
  const timer = setTimeout(() => stop(new FileInputError(`${file}: ffmpeg took more than ${timeoutMs / 1000} s to read its tags; it is damaged or not a video`, 'damaged')), timeoutMs);
  const status = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code));
  }).finally(() => clearTimeout(timer));
  if (refusal) throw refusal;
  // ffmpeg names the file in its own words; its first line is enough to say why.
  if (status !== 0) throw new FileInputError(`${file} is damaged or not a video (ffmpeg: ${stderr.trim().split('\n')[0].replace(`file:${resolve(file)}: `, '').replace(/^\[[^\]]*\] /, '') || `exit code ${status}`})`, 'damaged');
  return parseFfmetadata(Buffer.concat(out).toString('utf8'));
}

/** Tags from ffmpeg's ffmetadata text (its first line is the ";FFMETADATA1" header). */
function parseFfmetadata(output: string): Record<string, string> {
  const tags: Record<string, string> = {};
  // ffmetadata escapes '=', ';', '#', '\\' and newlines with a backslash: split
  // into key=value lines by walking the text, unescaping as we go.
  let key = '';
  let value = '';
  let inValue = false;
  const text = output.slice(output.indexOf('\n') + 1);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      if (inValue) value += text[++i];
      else key += text[++i];
    } else if (ch === '\n') {
      if (inValue) tags[key] = value;
      key = '';
      value = '';
      inValue = false;
    } else if (ch === '=' && !inValue) {
      inValue = true;
    } else if (inValue) value += ch;
    else key += ch;
  }
  if (inValue) tags[key] = value;
  return tags;
}

/**
 * The number of video frames in a finished file, counted by stream copy (no
 * decoding, so it is quick): what an output is checked against before it
 * replaces anything.
 */
export async function countVideoFrames(file: string): Promise<number> {
  const { path } = locateFfmpeg();
  const child = spawn(path, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-', '-progress', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-STDERR_TAIL)));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-STDERR_TAIL)));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`ffmpeg cannot read it back${err ? `: ${err.trim().split('\n').slice(-2).join(' | ')}` : ''}`);
  const frames = [...out.matchAll(/^frame=(\d+)$/gm)].pop();
  if (!frames) throw new Error('ffmpeg reported no frame count');
  return Number(frames[1]);
}
