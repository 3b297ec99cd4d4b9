/** What the queue holds now, for `doctor --redis`: jobs by state, the latest failures, the workers connected. */
import { ClusterError } from './cluster-error.js';
import { chunkQueue, connect, connectNow } from './redis-queue.js';
import { redactedUrl } from './redis-url.js';

export interface QueueStatus {
  redis: string;
  counts: { waiting: number; active: number; delayed: number; failed: number };
  workers: Array<{ name: string; address: string }>;
  /** The most recent failed chunks: job id and reason. */
  failures: Array<{ id: string; reason: string }>;
}

export async function queueStatus(url: string): Promise<QueueStatus> {
  const redis = connect(url, { waitForever: false });
  const where = redactedUrl(url);
  try {
    try {
      await connectNow(redis, url);
    } catch (error) {
      throw new ClusterError((error as Error).message);
    }
    const queue = chunkQueue(redis);
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      const workers = await queue.getWorkers();
      const failed = await queue.getFailed(0, 4);
      return {
        redis: where,
        counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 },
        // BullMQ names a worker's connection <prefix>:<queue>:w:<worker name>.
        workers: workers.map((w) => ({ name: w.rawname?.split(':w:')[1] ?? '?', address: w.addr ?? '?' })),
        failures: failed.map((job) => ({ id: String(job.id), reason: job.failedReason ?? '' })),
      };
    } finally {
      await queue.close().catch(() => undefined);
    }
  } finally {
    redis.disconnect();
  }
}
