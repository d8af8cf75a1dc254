// The smtnest command line: a thin layer over the library. Every bad input
// ends as one line on stderr and exit status 1, never a stack trace.

import { AssemblyError, formatDiagnostic } from '../asm/index.ts';
import { asmCommand, disasmCommand } from './asm.ts';
import { COMPARE_USAGE, compareCommand } from './compare.ts';
import { SWEEP_USAGE, sweepCommand } from './sweep.ts';
import { PAPER_USAGE, paperCommand } from './paper.ts';
import { REPORT_USAGE, reportCommand } from './report.ts';
import { demoCommand } from './demo.ts';
import { DEBUG_USAGE, debugCommand } from '../debug/cli.ts';
import { InputError, UsageError } from './errors.ts';
import { createLogger } from './log.ts';
import { RUN_USAGE, runCommand } from './run.ts';
import { jitModeFromEnvironment } from '../jit/jit.ts';

const USAGE = `smtnest: an x86-like machine with VMX and SMT, for measuring nested virtualization

${RUN_USAGE}
       ${COMPARE_USAGE}
       ${SWEEP_USAGE}
       ${PAPER_USAGE}   (what npm start runs)
       ${REPORT_USAGE}   (charts of where nested traps' cycles go)
       smtnest asm <file.s> -o <image>
       smtnest disasm <image|file.s>
       smtnest demo                     (every bundled program at every depth)
       ${DEBUG_USAGE}   (a debugger: break, step, regs, x, vmcs, where)

common options: --log-level fatal|error|warn|info|debug|trace|silent (default warn)
                --no-jit   interpret only (as SMTNEST_JIT=off; SMTNEST_JIT=auto|always|off, default auto)`;

function logLevelOf(args: string[]): string | undefined {
  const index = args.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (index < 0) return undefined;
  return args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
}

/** --no-jit, a common option, becomes SMTNEST_JIT=off for this process and
 * the workers it starts; the others see the arguments without it. */
function withoutJitOption(args: string[]): string[] {
  if (args.includes('--no-jit')) process.env.SMTNEST_JIT = 'off';
  try {
    jitModeFromEnvironment();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return args.filter((a) => a !== '--no-jit');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...allArgs] = argv;
  try {
    const args = withoutJitOption(allArgs);
    const log = createLogger(logLevelOf(args));
    switch (command) {
      case 'run':
        return runCommand(args, log);
      case 'compare':
        return compareCommand(args);
      case 'sweep':
        return await sweepCommand(args);
      case 'asm':
        return asmCommand(args, log);
      case 'disasm':
        return disasmCommand(args);
      case 'paper':
        return await paperCommand(args);
      case 'report':
        return await reportCommand(args);
      case 'demo':
        return demoCommand();
      case 'debug':
        return await debugCommand(args);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (commands: run, compare, sweep, paper, report, asm, disasm, demo, debug)`);
    }
  } catch (error) {
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
