/**
 * The README's commands, run in order as a new user would: every
 * `npx cppn-motion …` line of its shell blocks, in a scratch copy of the
 * example scenes, must exit 0. Later commands use what earlier ones wrote
 * (`still --from output/artsy-seed-7.png`), so one that breaks the next is
 * caught. To stay quick the scratch scenes are made small (at most 64 px on
 * the longer side, 12 fps), videos last a second, and sizes and fit steps on
 * the command lines are small too; what each command does is otherwise as
 * written. The cluster's lines run against a private Redis, with a worker
 * started as the README says; `preview` runs until it prints its address,
 * which must serve the page; `--backend gpu` runs where a GPU adapter (or
 * SwiftShader) is. README_TIMES=1 prints each command's time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir } from './helpers.js';
import { testGpu, type TestGpu } from './gpu-helpers.js';
import { HAS_REDIS, startRedis, type TestRedis } from './redis-server.js';
import { leftOut } from './system-parts.js';

/** `npx cppn-motion …` lines of the README's ```sh blocks, in order, without their comments. */
function readmeCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1].split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const at = line.indexOf('npx cppn-motion ');
      if (at < 0) continue;
      commands.push(words(line.slice(at + 'npx cppn-motion '.length)));
    }
  }
  return commands;
}

/** Shell words: spaces split, double quotes group (the README uses nothing more). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const MAX_SIDE = 64;

/** A size on the command line, scaled down to at most MAX_SIDE on its longer side, aspect kept. */
function smallSize(size: string): string {
  const [w, h] = size.split('x').map(Number);
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
  const even = (v: number): number => Math.max(2, 2 * Math.round((v * scale) / 2));
  return `${even(w)}x${even(h)}`;
}

/** The command as the test runs it: small sizes, short videos, few fit steps, the private Redis and store. */
function quick(args: string[], redisUrl: string, store: string): string[] {
  const out = [...args];
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i] === '--size') out[i + 1] = smallSize(out[i + 1]);
    if (out[i] === '--duration') out[i + 1] = '1';
    if (out[i] === '--fps') out[i + 1] = '12';
    if (out[i] === '--steps') out[i + 1] = '3';
    if (out[i] === '--redis') out[i + 1] = redisUrl;
    if (out[i] === '--store') out[i + 1] = store;
  }
  // Videos a second long (the flag stretches the keyframes with the video; a file's duration would not).
  if ((out[0] === 'render' || out[0] === 'batch') && !out.includes('--duration') && !out.includes('--from')) out.push('--duration', '1');
  return out;
}

/** The example scenes made small: every scene's size and frame rate (a shorter video would move its keyframes). */
function shrinkScenes(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.yaml')) continue;
    const path = join(folder, name);
    const doc = parseDocument(readFileSync(path, 'utf8'));
    const size = doc.getIn(['output', 'size']) as { toJSON(): unknown } | string | undefined;
    const [w, h] = size === undefined ? [512, 512] : typeof size === 'string' ? size.split('x').map(Number) : (size.toJSON() as number[]);
    doc.setIn(['output', 'size'], smallSize(`${w}x${h}`));
    doc.setIn(['output', 'fps'], 12);
    writeFileSync(path, doc.toString());
  }
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README, run in order', () => {
  let dir: ReturnType<typeof tempDir>;
  let redis: TestRedis | undefined;
  let gpu: TestGpu;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    dir = tempDir();
    cpSync(join(ROOT, 'scenes'), join(dir.path, 'scenes'), { recursive: true });
    shrinkScenes(join(dir.path, 'scenes'));
    mkdirSync(join(dir.path, 'output'));
    if (HAS_REDIS) redis = await startRedis();
    gpu = await testGpu();
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await redis?.stop();
    dir?.remove();
  });

  it('has commands to run, the quick start first', () => {
    const commands = readmeCommands(README);
    expect(commands.length).toBeGreaterThan(10);
    expect(commands[0]).toEqual(['render', 'scenes/drift.yaml']);
  });

  it('every command exits 0, in order, in a fresh folder', async ({ annotate }) => {
    const store = join(dir.path, 'store');
    const ran: string[] = [];
    // The lines left out for want of a system part, for the run's summary.
    let withoutRedis = 0;
    let withoutGpu = 0;
    for (const command of readmeCommands(README)) {
      const args = quick(command, redis?.url ?? '', store);
      const shown = `cppn-motion ${command.join(' ')}`;
      if (args.includes('--redis') && !redis) {
        withoutRedis++;
        continue;
      }
      if (args.includes('gpu') && args[args.indexOf('gpu') - 1] === '--backend' && !gpu.adapter) {
        withoutGpu++;
        continue;
      }
      if (args[0] === 'worker') {
        // A worker runs until stopped: started here, as on a worker machine, for the lines that follow.
        const worker = spawn(process.execPath, [CLI, ...args], { cwd: dir.path, stdio: 'ignore', env: process.env });
        workers.push(worker);
        ran.push(shown);
        continue;
      }
      if (args[0] === 'preview') {
        const served = await servesPage(args, dir.path);
        expect(served, shown).toBe(true);
        ran.push(shown);
        continue;
      }
      const started = Date.now();
      const result = await runCli(args, { cwd: dir.path });
      if (process.env.README_TIMES) console.log(`${Date.now() - started} ms: ${shown}`);
      expect(result.code, `${shown}\n${result.stderr}`).toBe(0);
      expect(result.stderr, shown).not.toMatch(/\n\s+at /);
      ran.push(shown);
    }
    if (withoutRedis > 0) await annotate(...leftOut('redis-server', `the README's cluster commands (${withoutRedis} left out)`));
    if (withoutGpu > 0) await annotate(...leftOut('gpu', `the README's --backend gpu commands (${withoutGpu} left out)`));
    expect(ran.length).toBeGreaterThan(10);
  });
});

/** Runs `preview …` until it prints its address, and checks that the address serves the page. */
function servesPage(args: string[], cwd: string): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd });
  return new Promise((done) => {
    let stdout = '';
    const finish = (ok: boolean): void => {
      child.kill('SIGINT');
      done(ok);
    };
    const timer = setTimeout(() => finish(false), 30_000);
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/\S*)\n/.exec(stdout)?.[1];
      if (!url) return;
      clearTimeout(timer);
      fetch(url).then(
        async (response) => finish(response.ok && (await response.text()).includes('cppn-motion')),
        () => finish(false),
      );
    });
    child.on('close', () => {
      clearTimeout(timer);
      done(false);
    });
  });
}
