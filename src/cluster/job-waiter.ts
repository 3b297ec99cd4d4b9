/**
 * Waiting for jobs to finish, the coordinator's side: completion, failure
 * and progress arrive as the queue's events (one stream for every job, read
 * by one blocking connection), so a render with hundreds of pieces in flight
 * costs Redis nothing while it waits. Events can be missed (Redis restarted,
 * the events connection reconnecting), so a slow check of every job still
 * waited on runs now and then as a safety net.
 */
import { setMaxListeners } from 'node:events';
import type { QueueEvents } from './redis-queue.js';

export interface Waiting {
  /** The job's progress (frames done) as it is reported. */
  onProgress?(progress: unknown): void;
  /**
   * The safety net, called every check interval: looks at the job itself and
   * says whether it is done (with its return value), failed (with the error
   * to throw), or still to wait for; it may queue the job again.
   */
  check(): Promise<{ done: unknown } | { failed: Error } | undefined>;
}

interface Waiter extends Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** Turns a failure event's reason into the error to throw. */
  failure(reason: string): Error;
  checking: boolean;
}

export class JobWaiter {
  /** By job id: usually one, more when two videos of a series are the same. */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    events: QueueEvents,
    /** Milliseconds between safety-net checks. */
    checkMs: number,
  ) {
    setMaxListeners(0, events);
    const each = (jobId: string, act: (waiter: Waiter) => void): void => {
      for (const waiter of [...(this.waiters.get(jobId) ?? [])]) act(waiter);
    };
    events.on('completed', ({ jobId, returnvalue }) => each(jobId, (w) => w.resolve(parseReturn(returnvalue))));
    events.on('failed', ({ jobId, failedReason }) => each(jobId, (w) => w.reject(w.failure(failedReason))));
    events.on('progress', ({ jobId, data }) => each(jobId, (w) => w.onProgress?.(data)));
    this.timer = setInterval(() => this.checkAll(), checkMs);
    this.timer.unref();
  }

  /** Jobs waited on now. */
  get size(): number {
    return this.waiters.size;
  }

  private checkAll(): void {
    for (const waiter of [...this.waiters.values()].flatMap((set) => [...set])) {
      if (waiter.checking) continue;
      waiter.checking = true;
      waiter.check().then(
        (outcome) => {
          waiter.checking = false;
          if (outcome && 'done' in outcome) waiter.resolve(outcome.done);
          else if (outcome) waiter.reject(outcome.failed);
        },
        (error: unknown) => {
          waiter.checking = false;
          waiter.reject(error as Error);
        },
      );
    }
  }

  /**
   * Resolves with the job's return value once it completes; rejects with
   * `failure(reason)` when it fails, or with the signal's reason when stopped.
   * Start waiting before the job can finish (before queueing it), or an
   * event may come first and only the safety net will see it.
   */
  wait(jobId: string, waiting: Waiting, failure: (reason: string) => Error, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        const set = this.waiters.get(jobId);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(jobId);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const waiter: Waiter = {
        ...waiting,
        checking: false,
        failure,
        resolve: (value) => {
          if (settled) return;
          settled = true;
          finish();
          resolve(value);
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          finish();
          reject(error);
        },
      };
      const set = this.waiters.get(jobId) ?? new Set<Waiter>();
      set.add(waiter);
      this.waiters.set(jobId, set);
    });
  }

  /** Checks every job waited on now, without waiting for the next interval (after Redis came back). */
  checkNow(): void {
    this.checkAll();
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Event return values come as JSON text. */
function parseReturn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
