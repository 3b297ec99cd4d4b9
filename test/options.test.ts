/**
 * The option table (src/scene/options/table.ts) is the one place an option
 * is declared: every command takes its options from it and lists them in its
 * help, the library's messages name options by key (the command line says
 * them as flags), and docs/options.md and the scene schema's descriptions are
 * written from it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { optionsReference, tableOptionsByCommand } from '../src/cli/options-reference.js';
import { cliSay, helpContext, tableKeyOf } from '../src/cli/options.js';
import { buildProgram } from '../src/cli/program.js';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { option, say, UserError, words } from '../src/errors.js';
import { sceneJsonSchema } from '../src/scene/json-schema.js';
import { COMMANDS, flagWord, helpText, optionIn, optionKeys, optionSpec, sceneKeyDescriptions, type CommandName } from '../src/scene/options/index.js';
import { ROOT, runCli, tempDir } from './helpers.js';

/** Help as a reader sees it, whatever the line breaks. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('the option table', () => {
  const byCommand = tableOptionsByCommand();

  it('every option in the table is taken by at least one command', () => {
    const taken = new Set([...byCommand.values()].flat());
    expect(optionKeys().filter((key) => !taken.has(key))).toEqual([]);
  });

  it('every option a command takes comes from the table (but --help and --version)', () => {
    const strays: string[] = [];
    const visit = (command: ReturnType<typeof buildProgram>, prefix: string): void => {
      for (const sub of command.commands) {
        for (const o of sub.options) if (tableKeyOf(o) === undefined) strays.push(`${prefix}${sub.name()} ${o.flags}`);
        visit(sub, `${prefix}${sub.name()} `);
      }
    };
    visit(buildProgram(), '');
    expect(strays).toEqual([]);
  });

  it("a command's own words for an option are for a command that takes it", () => {
    const stale = optionKeys().flatMap((key) => Object.keys(optionSpec(key).in ?? {}).filter((command) => !byCommand.get(command as CommandName)?.includes(key)).map((command) => `${flagWord(key)} in ${command}`));
    expect(stale).toEqual([]);
    expect([...byCommand.keys()].sort()).toEqual([...COMMANDS].sort());
  });

  it("each command's --help lists its options, each with its help", () => {
    const program = buildProgram();
    const find = (name: CommandName) => name.split(' ').reduce((command, part) => command.commands.find((c) => c.name() === part)!, program);
    for (const [name, keys] of byCommand) {
      const help = flat(find(name).helpInformation());
      for (const key of keys) {
        const spec = optionIn(key, name);
        const flags = `${spec.short ? `-${spec.short}, ` : ''}${flagWord(key)}${spec.value ? ` ${spec.value}` : ''}`;
        expect(help, `${name} --help`).toContain(`${flags} ${flat(helpText(spec.help, helpContext()))}`);
      }
    }
  });

  it('the help of a command run as a user would: render --help names every option it takes', async () => {
    const result = await runCli(['render', '--help']);
    expect(result.code).toBe(0);
    for (const key of byCommand.get('render')!) expect(flat(result.stdout)).toContain(flat(helpText(optionIn(key, 'render').help, helpContext())));
    expect(result.stdout).toContain('--gif-max-size <size>');
  });

  it('the scene schema describes each key an option overrides in the words of the table', () => {
    const schema = sceneJsonSchema() as { properties: Record<string, unknown> };
    for (const { key, help } of sceneKeyDescriptions()) {
      const node = key.split('.').reduce<{ properties?: Record<string, unknown> } | undefined>((at, part) => at?.properties?.[part] as never, schema) as { description?: string } | undefined;
      expect(node?.description, key).toBe(help);
    }
  });

  it('docs/options.md is written from the table (npm run docs:options)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'options.md'), 'utf8')).toBe(optionsReference());
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('messages name options by key; the command line says them as flags', () => {
  it('no library module writes a flag of the table into its text (the command line and the table itself may)', () => {
    const flags = new Set(optionKeys().map((key) => flagWord(key)));
    const allowed = (path: string): boolean => path.startsWith('src/cli/') || path === 'src/scene/options/table.ts' || path.endsWith('.test.ts');
    const found: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      const path = relative(ROOT, file);
      if (allowed(path)) continue;
      const source = ts.createSourceFile(path, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      // Only the text of strings and templates: comments may speak of the command line.
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
          for (const [word] of node.text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) {
            if (flags.has(word)) found.push(`${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${word}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });

  it('a message says an option by its key to the library, by its flag on the command line', () => {
    const error = new UserError(words`${option('gifMaxBytes')} 1kB: too small`, words`raise ${option('gifMaxBytes')} or shorten ${option('duration')}`);
    expect(error.message).toBe('`gifMaxBytes` 1kB: too small');
    expect(error.hint).toBe('raise `gifMaxBytes` or shorten `duration`');
    expect(cliSay(error.said)).toBe('--gif-max-size 1kB: too small');
    expect(cliSay(error.hintSaid!)).toBe('raise --gif-max-size or shorten --duration');
    // Words within words keep their options; plain data, they survive JSON (a cluster's notes).
    const nested = JSON.parse(JSON.stringify(words`${option('from')} ${error.said}`));
    expect(say(nested, flagWord)).toBe('--from --gif-max-size 1kB: too small');
  });

  it('a library error names the option by key; the same error from the command line names the flag', async () => {
    const dir = tempDir();
    try {
      const notOurs = join(dir.path, 'notes.txt');
      await expect(readSceneMetadata(notOurs)).rejects.toThrow(/^`from` .*notes\.txt: expected a file made by cppn-motion/);
      const result = await runCli(['still', '--from', notOurs]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error: --from ${notOurs}: expected a file made by cppn-motion`);
    } finally {
      dir.remove();
    }
  });
});
