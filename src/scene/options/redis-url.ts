/**
 * Redis URLs as the user gives them (the `redis` option): checked, and shown
 * without their password, even when they cannot be parsed. Pure, and apart
 * from the cluster's queue, so that the option table can check the value
 * without loading the queue's libraries, which are slow to load: a command
 * that never talks to a queue should not wait for them.
 */
import { option, UserError, words } from '../../errors.js';

/**
 * Where a Redis password may come from instead of the URL, for a URL without
 * one: the environment, which other users of the machine cannot list, as
 * they can list a command's arguments.
 */
export const REDIS_PASSWORD_VARIABLE = 'CPPN_MOTION_REDIS_PASSWORD';

/** The URL's text with whatever stands before an @ after the scheme (user and password) hidden: for URLs that do not parse. */
function hideCredentials(text: string): string {
  return text.replace(/^([^/]*\/\/)[^/?#]*@/, '$1***@').replace(/^([a-z][a-z0-9+.-]*:)(?!\/\/)[^/?#]*@/i, '$1***@');
}

/** Whether the URL holds a password (which messages never show). */
export function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return hideCredentials(url) !== url;
  }
}

/** The URL without its password, for logs and messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return hideCredentials(url);
  }
}

export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(words`${option('redis')} ${redactedUrl(url)}: not a URL`, 'write redis://host:6379, redis://:password@host:6379 or rediss://host:6380 for TLS');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UserError(words`${option('redis')} ${redactedUrl(url)}: use a redis:// or rediss:// (TLS) URL`, 'e.g. redis://:password@host:6379');
  }
  return url;
}
