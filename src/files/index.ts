/**
 * Files: reading what a person names (regular files only, within a limit),
 * writing outputs whole or not at all, never over an input of the same
 * command, and this machine's identity for names on shared folders. Node
 * only; nothing here knows of scenes, frames or formats.
 */
export * from './atomic-output.js';
export * from './input-guard.js';
export * from './machine.js';
export * from './regular-file.js';
