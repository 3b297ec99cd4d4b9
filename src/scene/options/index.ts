/** The options a user can give: one table, read by the command line, the scene schema, the docs and the messages. */
export * from './table.js';
export { BACKEND_REQUESTS, OptionValueError, type BackendRequest, type Machine, type Parser } from './values.js';
export { checkRedisUrl, redactedUrl } from './redis-url.js';
