/**
 * docs/options.md, written from the option table and the commands that take
 * each option (`npm run docs:options`; a test keeps the committed file
 * current): the table is the one place an option is described.
 */
import type { Command } from 'commander';
import { outputFormats } from '../encode/formats/index.js';
import { apiName, COMMANDS, flagWord, helpText, optionKeys, optionSpec, type CommandName, type HelpContext, type TableKey } from '../scene/options/index.js';
import { tableKeyOf } from './options.js';
import { buildProgram } from './program.js';

/** Every command of `program` (subcommands by their full name) with the options of the table it takes, in the order of its help. */
export function tableOptionsByCommand(program: Command = buildProgram()): Map<CommandName, TableKey[]> {
  const found = new Map<CommandName, TableKey[]>();
  const visit = (command: Command, prefix: string): void => {
    for (const sub of command.commands) {
      const name = `${prefix}${sub.name()}`;
      const keys = sub.options.flatMap((option) => tableKeyOf(option) ?? []);
      if (keys.length > 0) found.set(name as CommandName, keys);
      visit(sub, `${name} `);
    }
  };
  visit(program, '');
  return found;
}

/** The help texts as the docs give them: nothing that depends on the machine they were written on. */
const DOCS_CONTEXT: HelpContext = {
  fromExtensions: outputFormats().flatMap((f) => f.extensions),
  defaultStore: '<the system temporary folder>/cppn-motion-chunks',
};

/** Text for a Markdown table cell: no tags where the text means a placeholder, no column breaks. */
function cell(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|');
}

function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|')}\``;
}

function flagCell(key: TableKey, value: string | undefined): string {
  const { short } = optionSpec(key);
  return code(`${short ? `-${short}, ` : ''}${flagWord(key)}${value ? ` ${value}` : ''}`);
}

function helpCell(key: TableKey, commands: readonly CommandName[]): string {
  const spec = optionSpec(key);
  const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  const lines = [`${cell(helpText(spec.help, DOCS_CONTEXT))}${spec.default !== undefined ? ` (default: ${cell(shown(spec.default))})` : ''}`];
  for (const command of commands) {
    const own = spec.in?.[command];
    if (!own) continue;
    const parts = [
      own.value !== undefined ? code(own.value) : '',
      own.help !== undefined ? cell(helpText(own.help, DOCS_CONTEXT)) : '',
      own.default !== undefined ? `(default: ${cell(shown(own.default))})` : '',
      own.required ? '(required)' : '',
    ].filter(Boolean);
    if (parts.length > 0) lines.push(`*${command}*: ${parts.join(' ')}`);
  }
  return lines.join('<br>');
}

export function optionsReference(program: Command = buildProgram()): string {
  const byCommand = tableOptionsByCommand(program);
  const commandsOf = (key: TableKey): CommandName[] => COMMANDS.filter((command) => byCommand.get(command)?.includes(key));
  const rows = optionKeys().map((key) => {
    const spec = optionSpec(key);
    const commands = commandsOf(key);
    return `| ${flagCell(key, spec.value)} | ${spec.scene ? code(spec.scene.key) : ''} | ${code(apiName(key))} | ${commands.join(', ')} | ${helpCell(key, commands)} |`;
  });
  return [
    '# Options',
    '',
    '<!-- Generated from src/scene/options/table.ts by `npm run docs:options`: edit the table, not this file. -->',
    '',
    'Every option of every command, each declared once in the option table (`src/scene/options/table.ts`):',
    'the flag the command line takes, the scene key it overrides (the scene file says it; the flag changes it for one run),',
    "its name in the library's options, the commands that take it, and its help (with the words of a command where they differ).",
    '',
    'Messages name an option in the words of whoever shows them: the command line by its flag (`--gif-max-size`),',
    'the library by its name (`gifMaxBytes`). The scene schema (`scene.schema.json`) takes the descriptions of the keys options override from the same table.',
    '',
    'A new option is one entry in the table (its flag, value placeholder, parser from `src/scene/options/values.ts`, help,',
    "and the scene key it overrides, if any); a command takes it by key (`addOptions(command, ['out', 'size', …])` in",
    "`src/cli/commands/`) and finds its value under that key; a message names it with ``words`…${option('size')}…` ``.",
    'Then `npm run docs:options` rewrites this page (and `npm run schema` the scene schema, when it overrides a scene key).',
    '',
    '| Flag | Scene key | API name | Commands | Help |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
