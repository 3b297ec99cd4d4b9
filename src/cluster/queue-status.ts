/** What the queues hold now, for `doctor --redis`: each backend's jobs by state, the latest failures, the workers connected with their versions and backends. */
import { PIXEL_BACKENDS, type PixelBackend } from '../render/pixel-backend.js';
import { describeWorkerName } from './chunk-worker.js';
import { ClusterError } from './cluster-error.js';
import { connect, connectNow, jobQueue, queueName } from './redis-queue.js';
import { redactedUrl } from '../scene/options/redis-url.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface QueueStatus {
  redis: string;
  /** Each pixel backend's queue. */
  queues: Array<{ backend: PixelBackend; name: string; counts: QueueCounts }>;
  /**
   * Every worker once, whichever queues it listens to. `version`, `serves`
   * and `backends` (in words: "GPU jobs on <adapter>, and CPU jobs"): what it
   * runs and serves (unknown for workers of versions before they said).
   */
  workers: Array<{ name: string; address: string; version?: string; backends?: string; serves?: string[] }>;
  /** The most recent failed jobs: job id and reason. */
  failures: Array<{ id: string; backend: PixelBackend; reason: string }>;
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
    const status: QueueStatus = { redis: where, queues: [], workers: [], failures: [] };
    const seen = new Set<string>();
    for (const backend of PIXEL_BACKENDS) {
      const queue = jobQueue(redis, backend);
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        status.queues.push({
          backend,
          name: queueName(backend),
          counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 },
        });
        // BullMQ names a worker's connection <prefix>:<queue>:w:<worker name>; a worker serving two backends is on two queues, under one name.
        for (const w of await queue.getWorkers()) {
          const raw = w.rawname?.split(':w:')[1] ?? '?';
          if (seen.has(raw)) continue;
          seen.add(raw);
          const { who, version, backends, serves } = describeWorkerName(raw);
          status.workers.push({ name: who, address: w.addr ?? '?', version, backends, serves });
        }
        // Read field by field: a job whose data is not JSON (made by hand, or damaged) must not stop the report.
        const failedIds = await queue.getRanges(['failed'], 0, 4, false);
        for (const id of failedIds) status.failures.push({ id: String(id), backend, reason: (await redis.hget(queue.toKey(id), 'failedReason')) ?? '' });
      } finally {
        await queue.close().catch(() => undefined);
      }
    }
    return status;
  } finally {
    redis.disconnect();
  }
}
