/**
 * A flag that changes nothing in this command (--store without --redis,
 * --momentum with Adam, --tile without --maps…) is a mistake worth pointing
 * out rather than ignoring: the user meant something by it. Every command
 * states its flags' conditions here, and the first flag given that would do
 * nothing stops the command with exit code 2, saying why and what to do,
 * before any work starts.
 */
import { UserError } from '../errors.js';

export interface FlagCondition {
  /** The flag as typed, e.g. "--store". */
  flag: string;
  /** Whether it was given. */
  given: boolean;
  /** Whether it does nothing in this run. */
  idle: boolean;
  /** Why, e.g. "without --redis (the chunk store is the cluster's)". */
  because: string;
  /** What to do instead. */
  hint: string;
}

export function refuseIdleFlags(conditions: readonly FlagCondition[]): void {
  const idle = conditions.find((c) => c.given && c.idle);
  if (idle) throw new UserError(`${idle.flag} does nothing ${idle.because}`, idle.hint);
}

/** --store without --redis, shared by render and batch. */
export function storeNeedsRedis(flags: { store?: string; redis?: string }): FlagCondition {
  return {
    flag: '--store',
    given: flags.store !== undefined,
    idle: flags.redis === undefined,
    because: "without --redis: the chunk store is where a cluster's workers leave their chunks, and this run renders on this machine",
    hint: 'add --redis URL to render on a cluster, or leave --store out',
  };
}
