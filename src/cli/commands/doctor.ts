import type { Command } from 'commander';
import { ffmpegInfo } from '../../encode/ffmpeg.js';
import { wasmSimdSupported } from '../../core/index.js';
import { defaultWorkerCount } from '../../render/pool.js';
import { checkRedisUrl, queueStatus, QUEUE_NAME } from '../../cluster/index.js';

/** The queue's state for --redis: jobs by state, workers connected, recent failures. */
async function queueLines(url: string): Promise<string[]> {
  const status = await queueStatus(url);
  const { counts } = status;
  const lines = [
    `redis:    ${status.redis} (queue ${QUEUE_NAME})`,
    `jobs:     ${counts.waiting} waiting, ${counts.active} active, ${counts.delayed} retrying later, ${counts.failed} failed`,
    `workers:  ${status.workers.length} connected`,
    ...status.workers.map((w) => `          ${w.name} (${w.address})`),
  ];
  for (const failure of status.failures) lines.push(`failed:   ${failure.id}: ${failure.reason}`);
  return lines;
}

const NEEDED_ENCODERS: Array<[string, string]> = [
  ['libx264', 'mp4'],
  ['gif', 'gif'],
  ['libvpx-vp9', 'webm'],
  ['png', 'png frames'],
  ['utvideo', 'gif (lossless scratch copy)'],
];
const NEEDED_FILTERS = ['palettegen', 'paletteuse', 'lutrgb', 'crop', 'scale', 'fps'];

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the set-up: which ffmpeg is used, its version and encoders, SIMD, cores; with --redis, the cluster\'s queue')
    .option('--redis <url>', 'also show the queue at this Redis URL: waiting, active and failed chunks, connected workers', checkRedisUrl)
    .action(async (flags: { redis?: string }) => {
      const info = ffmpegInfo();
      const lines = [`ffmpeg:   ${info.location.path}`, `          found via ${info.location.source}`, `version:  ${info.version}`];
      let missing = 0;
      for (const [encoder, purpose] of NEEDED_ENCODERS) {
        const ok = info.encoders.has(encoder);
        if (!ok) missing++;
        lines.push(`encoder:  ${ok ? 'ok     ' : 'MISSING'} ${encoder.padEnd(11)} (${purpose})`);
      }
      for (const filter of NEEDED_FILTERS) {
        const ok = info.filters.has(filter);
        if (!ok) missing++;
        lines.push(`filter:   ${ok ? 'ok     ' : 'MISSING'} ${filter}`);
      }
      lines.push(`kernel:   ${wasmSimdSupported() ? 'WebAssembly SIMD' : 'JavaScript (no WebAssembly SIMD: about ten times slower)'}`);
      lines.push(`workers:  ${defaultWorkerCount()} (one per core)`);
      lines.push(`node:     ${process.version}`);
      if (flags.redis !== undefined) lines.push(...(await queueLines(flags.redis)));
      process.stdout.write(`${lines.join('\n')}\n`);
      if (missing > 0) {
        process.stderr.write(`error: ${missing} needed ffmpeg encoder(s) or filter(s) missing; set FFMPEG_PATH to a fuller ffmpeg\n`);
        process.exitCode = 1;
      }
    });
}
