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

export function progressDisplay(label: string, quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} frames | {speed} fps | {left} left`,
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
        const payload = { speed: p.fps.toFixed(1), left: formatSeconds(p.etaSeconds) };
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
  return {
    update(p) {
      // About every 10 %, and never more than once a second, plus the last frame.
      const step = Math.max(1, Math.ceil(p.total / 10));
      if (p.done === p.total || (p.done % step === 0 && p.elapsedMs - lastPrinted >= 1000)) {
        lastPrinted = p.elapsedMs;
        stream.write(`${label}: ${p.done}/${p.total} frames, ${p.fps.toFixed(1)} fps, ${formatSeconds(p.etaSeconds)} left\n`);
      }
    },
    stop: () => undefined,
  };
}
