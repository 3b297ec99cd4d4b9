import type { Command } from 'commander';
import { ffmpegInfo } from '../../encode/ffmpeg.js';
import { outputFormats } from '../../encode/formats/index.js';
import { wasmSimdSupported } from '../../core/index.js';
import { defaultWorkerCount } from '../../render/pool.js';
import { addOptions, cliSay } from '../options.js';
import { flagWord, workerCommand } from '../../scene/options/index.js';
import { VERSION } from '../version.js';

/** The queues' state for --redis: each backend's jobs by state, workers connected and what they serve, recent failures. */
async function queueLines(url: string): Promise<string[]> {
  // The queue's libraries load only when asked about the queue (see cluster-flags.ts).
  const { queueStatus } = await import('../../cluster/index.js');
  const status = await queueStatus(url);
  const serving = (backend: string): number => status.workers.filter((w) => (w.serves ?? ['cpu']).includes(backend)).length;
  const lines = [
    `redis:    ${status.redis} (queues ${status.queues.map((q) => q.name).join(', ')})`,
    ...status.queues.map(({ backend, counts }, i) => `${i === 0 ? 'jobs:    ' : '         '} ${backend}: ${counts.waiting} waiting, ${counts.active} active, ${counts.delayed} retrying later, ${counts.failed} failed`),
    `workers:  ${status.workers.length} connected${status.workers.length === 0 ? '' : `: ${status.queues.map(({ backend }) => `${serving(backend)} take${serving(backend) === 1 ? 's' : ''} ${backend.toUpperCase()} jobs`).join(', ')}`}`,
    ...status.workers.map((w) => {
      const runs = w.version === undefined ? 'version not said: an older cppn-motion' : `cppn-motion ${w.version}, ${w.backends}`;
      // A worker of another version refuses this version's jobs.
      const warning = w.version === VERSION ? '' : ` — not ${VERSION} like this one: it refuses this version's jobs`;
      return `          ${w.name} (${w.address}): ${runs}${warning}`;
    }),
  ];
  // Jobs that wait for a kind of worker nobody runs wait for ever: say so, and what to start.
  for (const { backend, counts } of status.queues) {
    if (counts.waiting > 0 && serving(backend) === 0) {
      const start = backend === 'gpu' ? `${workerCommand(url, 'gpu')} on a machine with a GPU` : workerCommand(url);
      lines.push(`          no worker takes ${backend.toUpperCase()} jobs: ${counts.waiting} wait for one (start one with: ${start})`);
    }
  }
  for (const failure of status.failures) lines.push(`failed:   ${failure.backend} ${failure.id}: ${failure.reason}`);
  return lines;
}

/** The GPU adapter `--backend gpu` would use (vendor, architecture, driver), or why there is none and what to install. */
async function gpuLines(): Promise<string[]> {
  const { probeAdapter } = await import('../../render/gpu/adapter-probe.js');
  const found = await probeAdapter();
  if (!('adapter' in found)) return [`gpu:      none: ${found.reason}`, `          ${cliSay(found.hint)}`, 'backend:  auto renders on the CPU'];
  const { adapter } = found;
  return [
    `gpu:      ${adapter.software ? 'software' : 'hardware'}: ${adapter.description || adapter.device || 'unnamed'}`,
    `          vendor ${adapter.vendor || '?'}, architecture ${adapter.architecture || '?'}${adapter.device ? `, device ${adapter.device}` : ''}`,
    `backend:  auto renders on the ${adapter.software ? `CPU (a software adapter is slower than the CPU kernels; ${flagWord('backend')} gpu uses it)` : 'GPU'}`,
  ];
}

/** Each ffmpeg encoder or filter some format uses, with the formats that use it. */
function needed(kind: 'encoders' | 'filters'): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const format of outputFormats()) {
    for (const name of format.needs[kind] ?? []) uses.set(name, [...(uses.get(name) ?? []), format.name]);
  }
  return uses;
}

export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description(`check the set-up: which ffmpeg is used, its version and encoders, SIMD, cores, the GPU adapter; with ${flagWord('redis')}, the cluster's queue`);
  addOptions(command, ['redis']).action(async (flags: { redis?: string }) => {
      const info = ffmpegInfo();
      const lines = [`ffmpeg:   ${info.location.path}`, `          found via ${info.location.source}`, `version:  ${info.version}`];
      let missing = 0;
      for (const [encoder, formats] of needed('encoders')) {
        const ok = info.encoders.has(encoder);
        if (!ok) missing++;
        lines.push(`encoder:  ${ok ? 'ok     ' : 'MISSING'} ${encoder.padEnd(13)} (${formats.join(', ')})`);
      }
      for (const [filter, formats] of needed('filters')) {
        const ok = info.filters.has(filter);
        if (!ok) missing++;
        lines.push(`filter:   ${ok ? 'ok     ' : 'MISSING'} ${filter.padEnd(13)} (${formats.join(', ')})`);
      }
      lines.push(`kernel:   ${wasmSimdSupported() ? 'WebAssembly SIMD' : 'JavaScript (no WebAssembly SIMD: about ten times slower)'}`);
      lines.push(`workers:  ${defaultWorkerCount()} (one per core)`);
      lines.push(...(await gpuLines()));
      lines.push(`node:     ${process.version}`);
      if (flags.redis !== undefined) lines.push(...(await queueLines(flags.redis)));
      process.stdout.write(`${lines.join('\n')}\n`);
      if (missing > 0) {
        process.stderr.write(`error: ${missing} needed ffmpeg encoder(s) or filter(s) missing; set FFMPEG_PATH to a fuller ffmpeg\n`);
        process.exitCode = 1;
      }
    });
}
