// Command-line parsing with commander, from the one table of commands and
// options (commands.ts): unknown options and surplus arguments are errors,
// with a suggestion for a near miss; a value that starts with a dash (such
// as --iterations -1) reaches the command's own check; --help prints the
// command's every option, its default and examples. Every error becomes one
// UsageError line.

import { Command, CommanderError, Option } from 'commander';
import type { Mode } from '../machine/bootinfo.ts';
import { commandSpec, type CommandSpec } from './commands.ts';
import { HelpShown, UsageError } from './errors.ts';

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The options the user gave (not defaulted). */
  given: Set<string>;
}

/** A commander command of the table's spec, that throws instead of exiting. */
export function commandOf(spec: CommandSpec): Command {
  const command = new Command(`smtnest ${spec.name}`)
    .description(spec.summary)
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => undefined })
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'this help');
  for (const argument of spec.arguments) command.argument(argument.name, argument.description);
  for (const option of spec.options) {
    const flags = `${option.short ? `-${option.short}, ` : ''}--${option.name}${option.value ? ` <${option.value}>` : ''}`;
    const described = option.defaultText ? `${option.description} (default: ${option.defaultText})` : option.description;
    const made = new Option(flags, described);
    if (option.choices) made.choices(option.choices);
    if (option.default !== undefined) made.default(option.default);
    command.addOption(made);
  }
  command.addHelpText('after', `\nExamples:\n${spec.examples.map((line) => `  ${line}`).join('\n')}\n`);
  return command;
}

/** The commander message as one line: "unknown option '--x' (did you mean --y?)". */
function oneLine(message: string): string {
  return message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\)$/, ' (did you mean $1)').replace(/\n/g, ' ');
}

/** Parses `args` of the command `name`; prints help and throws HelpShown for --help. */
export function parse(name: string, args: string[]): Parsed {
  const spec = commandSpec(name)!;
  const command = commandOf(spec);
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') throw new HelpShown();
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${name}: ${oneLine(message)} (smtnest ${name} --help lists the options)`);
  }
  const values: Parsed['values'] = {};
  const given = new Set<string>();
  for (const option of command.options) {
    const key = option.attributeName();
    const long = option.long!.slice(2);
    values[long] = command.getOptionValue(key) as string | boolean | undefined;
    if (command.getOptionValueSource(key) === 'cli') given.add(long);
  }
  return { values, positionals: command.args, given };
}

/** An error for an option given where it has no meaning, saying why. */
export function notApplicable(parsed: Parsed, option: string, why: string): void {
  if (parsed.given.has(option)) throw new UsageError(`--${option}: ${why}`);
}

/** A positive integer, written plainly, with underscores, or as 1e9. */
export function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--${flag}: expected a positive integer, got '${text}'`);
  return value;
}

/** A size in bytes: 65536, 64K, 16M, 1G. */
export function byteSize(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(text);
  if (!match) throw new UsageError(`--${flag}: expected a size such as 65536, 64K or 16M, got '${text}'`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** An option's value from a fixed set (commander has checked it against the table's choices). */
export function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`--${flag}: expected ${allowed.join(' or ')}, got '${text}'`);
  }
  return text as T;
}

/** The scenario of run and debug from their options, each option refused
 * where the configuration gives it no meaning. */
export function scenarioOptions(parsed: Parsed): { depth: number; mode: Mode; shadowing: boolean; iterations: number | undefined } {
  const { values } = parsed;
  const depth = Number(values.depth);
  if (depth === 0) {
    notApplicable(parsed, 'mode', 'a mode is how the hypervisors run their guests, and at depth 0 the program runs bare (add --depth 1 or 2)');
  }
  if (depth < 2) {
    notApplicable(parsed, 'shadow', "VMCS shadowing serves L1's vmread and vmwrite of its guest's VMCS, and there is an L1 hypervisor only at depth 2");
  }
  return {
    depth,
    mode: values.mode as Mode,
    shadowing: values.shadow === 'on',
    iterations: positiveInteger('iterations', values.iterations as string | undefined),
  };
}
