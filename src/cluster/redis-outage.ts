/**
 * How long the coordinator has been without Redis. The limit counts from the
 * moment the connection was lost (the first failed call, or the connection
 * saying it closed), never from the last call that went through: calls can
 * be far apart in a long render, and a short outage after a quiet spell must
 * be waited out like any other.
 */
export class RedisOutage {
  private lostAt: number | undefined;

  constructor(
    readonly limitMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks Redis lost; true when this starts an outage (to be said once). */
  lost(): boolean {
    if (this.lostAt !== undefined) return false;
    this.lostAt = this.now();
    return true;
  }

  /** Marks Redis back; the outage's length in milliseconds, or undefined when there was none. */
  found(): number | undefined {
    if (this.lostAt === undefined) return undefined;
    const lasted = this.now() - this.lostAt;
    this.lostAt = undefined;
    return lasted;
  }

  /** Milliseconds since the connection was lost (0 when it is not). */
  get lastedMs(): number {
    return this.lostAt === undefined ? 0 : this.now() - this.lostAt;
  }

  /** Whether the outage has lasted longer than the render may wait. */
  get tooLong(): boolean {
    return this.lastedMs > this.limitMs;
  }
}
