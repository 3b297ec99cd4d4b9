import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { validateSceneData, sceneFromFile } from '../scene/index.js';
import type { FrameRange, FrameSource, RenderedUnit, UnitContext } from './frame-backend.js';
import { scheduleFrames, splitRange, untilAborted, type Progress } from './scheduler.js';

const loaded = sceneFromFile(validateSceneData({ output: { size: [2, 2], fps: 10, duration: 2.3 } }), 'test', '/', 'sched');

/** A frame source whose units finish in a scrambled order; each frame is one byte: its index. */
function fakeBackend(unitFrames: number, window: number, failAt?: number) {
  // held: units rendered and not yet released (a frame buffer each).
  const stats = { inFlight: 0, maxInFlight: 0, started: 0, settled: 0, held: 0 };
  const backend: FrameSource = {
    plan: () => ({ unitFrames, window }),
    async render(_loaded, range: FrameRange, context: UnitContext): Promise<RenderedUnit> {
      stats.inFlight++;
      stats.started++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        // Later units often finish first.
        await sleep(((range.start * 7) % 5) * 3, undefined, { signal: context.signal });
        if (failAt !== undefined && range.start <= failAt && failAt < range.end) throw new Error(`unit ${range.start} broke`);
        context.onFrames(range.end - range.start);
      } finally {
        stats.settled++;
      }
      stats.held++;
      return {
        renderMs: 1,
        async *frames() {
          for (let i = range.start; i < range.end; i++) yield new Uint8Array([i]);
        },
        release: async () => {
          stats.inFlight--;
          stats.held--;
        },
      };
    },
    activeWorkers: () => 3,
  };
  return { backend, stats };
}

describe('the frame scheduler', () => {
  it('splits ranges into units', () => {
    expect(splitRange({ start: 3, end: 10 }, 3)).toEqual([
      { start: 3, end: 6 },
      { start: 6, end: 9 },
      { start: 9, end: 10 },
    ]);
  });

  it('delivers every frame in order, with no more units in flight than the window, and reports progress', async () => {
    const { backend, stats } = fakeBackend(4, 3);
    const progress: Progress[] = [];
    const stream = scheduleFrames(backend, loaded, { onProgress: (p) => progress.push(p) });
    const seen: number[] = [];
    for await (const frame of stream) seen.push(frame[0]);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(stream.renderMs).toBe(6);
    expect(progress.at(-1)).toMatchObject({ done: 23, total: 23, workers: 3 });
  });

  it('renders only the range asked for', async () => {
    const { backend } = fakeBackend(4, 2);
    const seen: number[] = [];
    for await (const frame of scheduleFrames(backend, loaded, { range: { start: 5, end: 12 } })) seen.push(frame[0]);
    expect(seen).toEqual([5, 6, 7, 8, 9, 10, 11]);
  });

  it('stops when the signal aborts, with its reason, and waits for the units in flight', async () => {
    const { backend, stats } = fakeBackend(1, 4);
    const abort = new AbortController();
    const seen: number[] = [];
    const run = (async () => {
      for await (const frame of scheduleFrames(backend, loaded, { signal: abort.signal })) {
        seen.push(frame[0]);
        if (frame[0] === 5) abort.abort(new Error('stop'));
      }
    })();
    await expect(run).rejects.toThrow('stop');
    expect(seen.length).toBeLessThan(23);
    expect(stats.settled).toBe(stats.started);
    expect(stats.held).toBe(0);
  });

  it('gives back every unit rendered but not yet read when the reader stops early or a unit fails', async () => {
    const early = fakeBackend(1, 6);
    for await (const frame of scheduleFrames(early.backend, loaded)) if (frame[0] === 2) break;
    expect(early.stats.started).toBeGreaterThan(3);
    expect(early.stats.held).toBe(0);

    const failing = fakeBackend(1, 6, 3);
    await expect(
      (async () => {
        for await (const frame of scheduleFrames(failing.backend, loaded)) void frame;
      })(),
    ).rejects.toThrow('unit 3 broke');
    expect(failing.stats.held).toBe(0);
  });

  it('fails with the failing unit\'s error and stops the rest', async () => {
    const { backend, stats } = fakeBackend(2, 3, 9);
    const seen: number[] = [];
    const run = (async () => {
      for await (const frame of scheduleFrames(backend, loaded)) seen.push(frame[0]);
    })();
    await expect(run).rejects.toThrow('unit 8 broke');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(stats.settled).toBe(stats.started);
  });
});

describe('untilAborted', () => {
  it('after a stop, work that fails later is no unhandled rejection (it ended a stopped batch with a stack trace)', async () => {
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    let fail!: (error: Error) => void;
    const work = new Promise<void>((_, reject) => (fail = reject));
    await expect(untilAborted(work, stop.signal)).rejects.toThrow('stopped');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      fail(new Error('the task has been aborted'));
      await sleep(20);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
