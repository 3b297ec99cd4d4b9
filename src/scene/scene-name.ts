/**
 * A scene's name names its output files (drift.mp4, drift-seed-07.gif, the
 * series folder drift/), so it must be a safe file name on every system. One
 * rule holds for a `name:` key and for a name taken from the scene's file
 * name: letters of any alphabet (café, 流れ), digits, spaces, ".", "_" and
 * "-", starting with a letter or digit and not ending in a space or a dot;
 * no separators, no characters Windows refuses (: * ? " < > |), no control
 * characters, and none of Windows' device names (CON, NUL, COM1…).
 */

/** The characters: checked by the loader and published in the JSON Schema for editors. */
export const NAME_PATTERN = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N} ._-]*[\p{L}\p{M}\p{N}_-])?$/u;

/** What the rule allows, in words. */
export const NAME_RULE = 'use letters (of any alphabet), digits, spaces, ".", "_" and "-", starting with a letter or a digit and ending with neither a space nor a dot (it names the output files)';

const DEVICE_NAME = /^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\..*)?$/i;

/** Why `name` cannot name output files, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return NAME_RULE;
  if (DEVICE_NAME.test(name)) return `"${name.split('.')[0]}" is a device name on Windows; choose another name`;
  return undefined;
}

/** `text` made into a name that follows the rule (characters it refuses become "-"), or `fallback` when nothing usable is left. */
export function toSceneName(text: string, fallback: string): string {
  const name = text
    .replace(/[^\p{L}\p{M}\p{N} ._-]/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .replace(/[ .]+$/, '');
  return name !== '' && nameProblem(name) === undefined ? name : fallback;
}
