/**
 * Which coordinators are using a set of pieces in the store, kept in Redis
 * (not by process ids, which mean nothing across machines): two renders of
 * the same scene share their pieces, and the pieces go only when the last
 * one is done with them. A coordinator that dies stops renewing its entry,
 * which lapses after USE_MS. Entries are dated by Redis's own clock (TIME,
 * read inside a script): the coordinators' machines may disagree on the time,
 * and one whose clock is behind must not see the others' entries as lapsed.
 */
import type { Redis } from 'ioredis';

/** Redis's clock in milliseconds, in a script. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1]: the set's key; ARGV: me, USE_MS, the key's own lifetime. */
const MARK = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])`;

/** KEYS[1]: the set's key; ARGV: me. The users left, lapsed entries not counted. */
const RELEASE = `${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

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
    await this.redis.eval(MARK, 1, keyOf(set), this.me, USE_MS, USE_MS * 2);
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
    return Number(await this.redis.eval(RELEASE, 1, keyOf(set), this.me)) === 0;
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
