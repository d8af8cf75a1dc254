// The smtnest command line: a thin layer over the library. Every bad input
// ends as one line on stderr and exit status 1, never a stack trace. Each
// command's module is loaded only when it runs, so that a short run does
// not pay for the report's charts or the debugger.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssemblyError, formatDiagnostic } from '../asm/index.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { commandOf, parse } from './args.ts';
import { COMMANDS, commandSpec } from './commands.ts';
import { HelpShown, InputError, UsageError } from './errors.ts';
import { jitModeFromEnvironment } from '../jit/jit.ts';

function version(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'smtnest: an x86-like machine with VMX and SMT, for measuring nested virtualization',
    '',
    'usage: smtnest <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'smtnest <command> --help gives its every option, with defaults and examples; smtnest --version the version.',
    'Every command also takes --no-jit: interpret only, as SMTNEST_JIT=off (SMTNEST_JIT=auto|always|off).',
  ].join('\n');
}

function help(args: string[]): number {
  const { positionals } = parse('help', args);
  if (positionals.length === 0) {
    process.stdout.write(overview() + '\n');
    return 0;
  }
  const spec = commandSpec(positionals[0]);
  if (!spec) throw new UsageError(`help: no command '${positionals[0]}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  commandOf(spec).outputHelp();
  return 0;
}

/** The log level a command was given, for the logger made before its options are parsed. */
function logLevelOf(args: string[]): string | undefined {
  const index = args.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (index < 0) return undefined;
  return args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
}

/** --no-jit, a common option, becomes SMTNEST_JIT=off for this process and
 * the workers it starts; the command sees the arguments without it. */
function withoutJitOption(args: string[]): string[] {
  if (args.includes('--no-jit')) process.env.SMTNEST_JIT = 'off';
  try {
    jitModeFromEnvironment();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return args.filter((a) => a !== '--no-jit');
}

async function dispatch(command: string, args: string[]): Promise<number> {
  switch (command) {
    case 'run': {
      const [{ runCommand }, { createLogger }] = await Promise.all([import('./run.ts'), import('./log.ts')]);
      return runCommand(args, createLogger(logLevelOf(args)));
    }
    case 'asm': {
      const [{ asmCommand }, { createLogger }] = await Promise.all([import('./asm.ts'), import('./log.ts')]);
      return asmCommand(args, createLogger(logLevelOf(args)));
    }
    case 'disasm':
      return (await import('./asm.ts')).disasmCommand(args);
    case 'stat':
      return (await import('./stat.ts')).statCommand(args);
    case 'compare':
      return await (await import('./compare.ts')).compareCommand(args);
    case 'sweep':
      return await (await import('./sweep.ts')).sweepCommand(args);
    case 'paper':
      return await (await import('./paper.ts')).paperCommand(args);
    case 'report':
      return await (await import('./report.ts')).reportCommand(args);
    case 'demo':
      return await (await import('./demo.ts')).demoCommand(args);
    case 'debug':
      return await (await import('../debug/cli.ts')).debugCommand(args);
    case 'help':
    case '--help':
    case '-h':
      return help(args);
    default:
      throw new UsageError(`unknown command '${command}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; smtnest help)`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    process.stderr.write(overview() + '\n');
    return 1;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`smtnest ${version()}\n`);
    return 0;
  }
  try {
    return await dispatch(command, withoutJitOption(args));
  } catch (error) {
    if (error instanceof HelpShown) return 0;
    if (error instanceof AssemblyError) {
      process.stderr.write(error.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 1;
    }
    if (error instanceof UsageError || error instanceof InputError) {
      process.stderr.write(`smtnest: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
