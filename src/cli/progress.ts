/**
 * Progress for long work: a live bar (frames done/total, frames per second,
 * time left) on a terminal; plain lines now and then when output goes to a
 * file or a pipe; nothing at all with --quiet.
 */
import { SingleBar } from 'cli-progress';
import type { Progress } from '../render/video.js';

export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface ProgressOptions {
  /** Show how many workers are busy (a cluster's worker processes). */
  workers?: boolean;
}

export function progressDisplay(label: string, quiet: boolean, stream: NodeJS.WriteStream = process.stderr, options: ProgressOptions = {}): ProgressDisplay {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  const workers = (p: Progress): string => (options.workers && p.workers !== undefined ? ` | ${p.workers} worker${p.workers === 1 ? '' : 's'}` : '');
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} frames | {speed} fps | {left} left{workers}`,
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        stream,
        clearOnComplete: false,
      },
    );
    let state: 'idle' | 'running' | 'stopped' = 'idle';
    return {
      update(p) {
        const payload = { speed: p.fps.toFixed(1), left: formatSeconds(p.etaSeconds), workers: workers(p) };
        if (state === 'idle') {
          bar.start(p.total, p.done, payload);
          state = 'running';
        } else if (state === 'running') bar.update(p.done, payload);
      },
      stop: () => {
        if (state === 'running') bar.stop();
        state = 'stopped';
      },
    };
  }
  let lastPrinted = -Infinity;
  let lastStep = 0;
  let finished = false;
  return {
    update(p) {
      // About every 10 %, and never more than once a second, plus the last frame.
      // Frames may arrive several at a time (a cluster's chunks): a line when a step is crossed.
      const step = Math.max(1, Math.ceil(p.total / 10));
      const reached = Math.floor(p.done / step);
      if ((p.done === p.total && !finished) || (reached > lastStep && p.elapsedMs - lastPrinted >= 1000)) {
        finished = p.done === p.total;
        lastStep = reached;
        lastPrinted = p.elapsedMs;
        stream.write(`${label}: ${p.done}/${p.total} frames, ${p.fps.toFixed(1)} fps, ${formatSeconds(p.etaSeconds)} left${workers(p).replace(' |', ',')}\n`);
      }
    },
    stop: () => undefined,
  };
}
