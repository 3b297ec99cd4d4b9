/**
 * The command line's side of the option table (src/scene/options/table.ts):
 * each command attaches its options by key, and gets them back under their
 * keys (`flags.gifMaxBytes`, given as --gif-max-size); the messages of the
 * library name options by key, which the command line says as flags.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { availableParallelism, totalmem } from 'node:os';
import { say, type Text } from '../errors.js';
import { outputFormats } from '../encode/formats/index.js';
import { COMMANDS, flagWord, helpText, optionIn, OptionValueError, type CommandName, type HelpContext, type Machine, type OptionSpec, type TableKey } from '../scene/options/index.js';
import { DEFAULT_STORE } from './cluster-flags.js';

/** Memory one render worker may take (its thread, the kernel, frame buffers), with room to spare. */
const WORKER_MEMORY = 96 * 1024 * 1024;

/** The most worker threads this machine can hold usefully: four per core, and what its memory takes. */
export function maxWorkers(): number {
  return Math.max(1, Math.min(256, availableParallelism() * 4, Math.floor(totalmem() / 2 / WORKER_MEMORY)));
}

function machine(): Machine {
  return { cores: availableParallelism(), maxWorkers: maxWorkers() };
}

/** What the help texts need to know of this program. */
export function helpContext(): HelpContext {
  return { fromExtensions: outputFormats().flatMap((f) => f.extensions), defaultStore: DEFAULT_STORE };
}

/** The message in the command line's words: every option named by its flag. */
export function cliSay(text: Text): string {
  return say(text, flagWord);
}

/** An option of the table: commander keeps its value under the option's key. */
class TableOption extends Option {
  constructor(
    readonly key: TableKey,
    flags: string,
    description: string,
  ) {
    super(flags, description);
  }

  override attributeName(): string {
    return this.key;
  }
}

/** The table's key of a commander option, if it came from the table. */
export function tableKeyOf(option: Option): TableKey | undefined {
  return option instanceof TableOption ? option.key : undefined;
}

/** The option's parser for commander: the table's, with its complaints as commander's, and repeated values collected. */
export function commanderParser(spec: Pick<OptionSpec, 'parse' | 'repeatable'>): ((text: string, previous: unknown) => unknown) | undefined {
  const { parse, repeatable } = spec;
  if (!parse && !repeatable) return undefined;
  return (text, previous) => {
    let value: unknown = text;
    try {
      if (parse) value = parse(text, machine);
    } catch (error) {
      // commander puts the flag and the value in front: "option '--size <WxH>' argument '0x0' is invalid."
      if (error instanceof OptionValueError) throw new InvalidArgumentError(error.message);
      throw error;
    }
    return repeatable ? [...((previous as unknown[] | undefined) ?? []), value] : value;
  };
}

/** The command's name as the option table knows it: a subcommand after its parent ("weights export"). */
function commandName(command: Command): CommandName {
  const name = command.parent?.parent ? `${command.parent.name()} ${command.name()}` : command.name();
  if (!(COMMANDS as readonly string[]).includes(name)) throw new Error(`the option table does not know the command ${name}`);
  return name as CommandName;
}

/** The commander option for `key` in `command`, in the command's own words where it has them. */
export function tableOption(key: TableKey, command: CommandName): Option {
  const spec = optionIn(key, command);
  const flags = `${spec.short ? `-${spec.short}, ` : ''}${flagWord(key)}${spec.value ? ` ${spec.value}` : ''}`;
  const option = new TableOption(key, flags, helpText(spec.help, helpContext()));
  const parse = commanderParser(spec);
  if (parse) option.argParser(parse);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.required) option.makeOptionMandatory();
  return option;
}

/** Attaches the options of the table named by `keys` to `command`, in that order (the order of its help). */
export function addOptions(command: Command, keys: readonly TableKey[]): Command {
  const name = commandName(command);
  for (const key of keys) command.addOption(tableOption(key, name));
  return command;
}
