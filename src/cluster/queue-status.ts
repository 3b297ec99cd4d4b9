/** What the queue holds now, for `doctor --redis`: jobs by state, the latest failures, the workers connected with their versions. */
import { describeWorkerName } from './chunk-worker.js';
import { ClusterError } from './cluster-error.js';
import { connect, connectNow, jobQueue } from './redis-queue.js';
import { redactedUrl } from '../scene/options/redis-url.js';

export interface QueueStatus {
  redis: string;
  counts: { waiting: number; active: number; delayed: number; failed: number };
  /** `version` and `backends`: what the worker runs (unknown for workers of versions before they said). */
  workers: Array<{ name: string; address: string; version?: string; backends?: string }>;
  /** The most recent failed jobs: job id and reason. */
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
    const queue = jobQueue(redis);
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      const workers = await queue.getWorkers();
      // Read field by field: a job whose data is not JSON (made by hand, or damaged) must not stop the report.
      const failedIds = await queue.getRanges(['failed'], 0, 4, false);
      const failed = await Promise.all(failedIds.map(async (id) => ({ id, failedReason: (await redis.hget(queue.toKey(id), 'failedReason')) ?? '' })));
      return {
        redis: where,
        counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 },
        // BullMQ names a worker's connection <prefix>:<queue>:w:<worker name>.
        workers: workers.map((w) => {
          const { who, version, backends } = describeWorkerName(w.rawname?.split(':w:')[1] ?? '?');
          return { name: who, address: w.addr ?? '?', version, backends };
        }),
        failures: failed.map((job) => ({ id: String(job.id), reason: job.failedReason ?? '' })),
      };
    } finally {
      await queue.close().catch(() => undefined);
    }
  } finally {
    redis.disconnect();
  }
}
