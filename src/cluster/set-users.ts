/**
 * Which coordinators are using a set of pieces in the store, kept in Redis
 * (not by process ids, which mean nothing across machines): two renders of
 * the same scene share their pieces, and the pieces go only when the last
 * one is done with them. A coordinator that dies stops renewing its entry,
 * which lapses after USE_MS.
 */
import type { Redis } from 'ioredis';

const USE_MS = 60_000;
const RENEW_MS = 15_000;

const keyOf = (set: string): string => `cppn-motion:using:${set}`;

export class SetUsers {
  private readonly sets = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    /** This coordinator, unique across machines and runs. */
    private readonly me: string,
  ) {
    this.timer = setInterval(() => {
      for (const set of this.sets) void this.mark(set).catch(() => undefined);
    }, RENEW_MS);
    this.timer.unref();
  }

  private async mark(set: string): Promise<void> {
    await this.redis.multi().zadd(keyOf(set), Date.now() + USE_MS, this.me).pexpire(keyOf(set), USE_MS * 2).exec();
  }

  /** Marks the set as in use by this coordinator. */
  async use(set: string): Promise<void> {
    if (this.sets.has(set)) return;
    this.sets.add(set);
    await this.mark(set);
  }

  /** This coordinator is done with the set; resolves true when no other coordinator uses it. */
  async release(set: string): Promise<boolean> {
    this.sets.delete(set);
    const [, , count] = (await this.redis.multi().zrem(keyOf(set), this.me).zremrangebyscore(keyOf(set), '-inf', Date.now()).zcard(keyOf(set)).exec()) ?? [];
    return Number(count?.[1] ?? 0) === 0;
  }

  /**
   * This coordinator stops (done, failed or interrupted): its entries go,
   * without removing anything from the store, so that what it finished is
   * reused by the next render of the same scene.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const sets = [...this.sets];
    this.sets.clear();
    await Promise.all(sets.map((set) => this.redis.zrem(keyOf(set), this.me)));
  }
}
