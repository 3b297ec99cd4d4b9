/**
 * A flag that changes nothing in this command (--store without --redis,
 * --momentum with Adam, --tile without --maps…) is a mistake worth pointing
 * out rather than ignoring: the user meant something by it. Every command
 * states its flags' conditions here, and the first flag given that would do
 * nothing stops the command with exit code 2, saying why and what to do,
 * before any work starts.
 */
import { option, UserError, words, type Text } from '../errors.js';
import type { TableKey } from '../scene/options/index.js';

export interface FlagCondition {
  /** The option, e.g. "store" (--store). */
  option: TableKey;
  /** Whether it was given. */
  given: boolean;
  /** Whether it does nothing in this run. */
  idle: boolean;
  /** Why, e.g. "without --redis (the chunk store is the cluster's)". */
  because: Text;
  /** What to do instead. */
  hint: Text;
}

export function refuseIdleFlags(conditions: readonly FlagCondition[]): void {
  const idle = conditions.find((c) => c.given && c.idle);
  if (idle) throw new UserError(words`${option(idle.option)} does nothing ${idle.because}`, idle.hint);
}

/** --store without --redis, shared by render and batch. */
export function storeNeedsRedis(flags: { store?: string; redis?: string }): FlagCondition {
  return {
    option: 'store',
    given: flags.store !== undefined,
    idle: flags.redis === undefined,
    because: words`without ${option('redis')}: the chunk store is where a cluster's workers leave their chunks, and this run renders on this machine`,
    hint: words`add ${option('redis')} URL to render on a cluster, or leave ${option('store')} out`,
  };
}
