// smtnest debug <file.s|image|program> [--depth N] [--mode M] [--shadow on|off]
//                [--iterations N] [--cost FILE] [--commands FILE]
//
// The session's commands come from a terminal (with a prompt; Ctrl-C stops
// a continue), from --commands FILE, or from stdin when it is not a
// terminal, so that scripts and tests drive it. Not at a terminal, each
// command is echoed after the prompt, so that the output reads as a
// transcript. A bad command is one line on stderr (FILE:LINE: message when
// the commands come from a file) and the session goes on. The exit status
// is the guest's when the run ended in the session, else 1.

import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadCosts, loadProgram } from '../cli/load.ts';
import { parse, positiveInteger, scenarioOptions } from '../cli/args.ts';
import { InputError, UsageError } from '../cli/errors.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from '../cli/run.ts';
import { buildMachine, hypervisorsFor, IMPLEMENTED_MODES } from '../machine/scenario.ts';
import { DebugCommandError, DebugSession } from './session.ts';

const PROMPT = '(smtnest) ';

export async function debugCommand(args: string[]): Promise<number> {
  const parsed = parse('debug', args);
  const { values, positionals } = parsed;
  const { depth, mode, shadowing, iterations } = scenarioOptions(parsed);
  const maxInstructions = positiveInteger('max-instructions', values['max-instructions'] as string | undefined) ?? DEFAULT_MAX_INSTRUCTIONS;
  const costs = loadCosts(values.cost as string | undefined);
  const commandsPath = values.commands as string | undefined;
  if (commandsPath !== undefined && !existsSync(commandsPath)) throw new InputError(`${commandsPath}: no such file`);

  const workload = loadProgram(positionals[0]);
  const hypervisors = hypervisorsFor(depth);
  // The guest's console and the session's output share stdout: the guest's
  // bytes are held until a line ends or the session speaks.
  let consoleLine: number[] = [];
  const flushConsole = () => {
    if (consoleLine.length) process.stdout.write(Buffer.from(consoleLine));
    consoleLine = [];
  };
  const machine = buildMachine(
    {
      workload,
      depth,
      mode,
      shadowing,
      iterations,
      costs,
      consoleSink: (byte) => {
        consoleLine.push(byte);
        if (byte === 10) flushConsole();
      },
    },
    hypervisors,
  );
  const session = new DebugSession(machine, [...hypervisors, workload], (text) => {
    flushConsole();
    process.stdout.write(text + '\n');
  }, maxInstructions);

  const interactive = commandsPath === undefined && process.stdin.isTTY === true;
  const source = commandsPath ?? '<stdin>';
  const input = commandsPath === undefined ? process.stdin : createReadStream(commandsPath);
  const lines = createInterface({ input, output: interactive ? process.stdout : undefined, terminal: interactive });
  lines.on('SIGINT', () => {
    if (session.running) session.interrupt();
    else lines.close();
  });
  if (interactive) {
    process.stdout.write(`smtnest debug: ${positionals[0]} at depth ${depth}, ${mode}; help lists the commands\n`);
    lines.setPrompt(PROMPT);
    lines.prompt();
  }
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!interactive) process.stdout.write(PROMPT + line + '\n');
    let quit = false;
    try {
      quit = session.execute(line) === 'quit';
      while (session.running) {
        session.resume();
        // Between chunks of a continue: let a Ctrl-C arrive.
        if (session.running) await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      if (!(error instanceof DebugCommandError)) throw error;
      flushConsole();
      process.stderr.write(interactive ? `${error.message}\n` : `${source}:${lineNumber}: ${error.message}\n`);
    }
    flushConsole();
    if (quit) break;
    if (interactive) lines.prompt();
  }
  lines.close();
  const outcome = session.outcome;
  if (outcome) return outcome.exitCode;
  process.stderr.write(`smtnest debug: the session ended before the run did\n`);
  return 1;
}
