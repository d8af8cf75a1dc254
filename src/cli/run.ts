// smtnest run <file.s|image|program> [options]

import { writeFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Logger } from 'pino';
import { symbolizer } from '../asm/index.ts';
import { Machine, PROGRESS_INSTRUCTIONS } from '../machine/machine.ts';
import { runReport } from '../machine/run-report.ts';
import { byteSize, notApplicable, oneOf, parse, positiveInteger, scenarioOptions } from './args.ts';
import { UsageError } from './errors.ts';
import { buildMachine, hypervisorsFor } from '../machine/scenario.ts';
import { loadCosts, loadProgram } from './load.ts';
import { exitSummary, exitTable } from './exit-table.ts';
import { TraceWriter } from './trace.ts';
import { Timeline } from '../machine/timeline.ts';
import { gem5Stats } from '../machine/stats-text.ts';
import { InputError } from './errors.ts';

/** A cycle window A..B (either end may be left out). */
function cycleWindow(text: string | undefined): { from: number; to: number } {
  if (text === undefined) return { from: 0, to: Infinity };
  const match = /^(\d*)\.\.(\d*)$/.exec(text.replace(/_/g, ''));
  if (!match || (match[1] === '' && match[2] === '')) {
    throw new UsageError(`--timeline-window: expected a cycle range such as 100000..200000, got '${text}'`);
  }
  const from = match[1] === '' ? 0 : Number(match[1]);
  const to = match[2] === '' ? Infinity : Number(match[2]);
  if (!(from < to)) throw new UsageError(`--timeline-window: the range '${text}' is empty`);
  return { from, to };
}

/** Whether stderr is a terminal. Asked of the descriptor: reading
 * process.stderr.isTTY would make node build the stderr stream (for a
 * pipe, a socket and its modules), which takes longer than a short run. */
const stderrIsTerminal = isatty(2);

/** A progress line on stderr for a run longer than a second, only when
 * stderr is a terminal. Host time decides only whether to show it. */
function progressLine(): ((instructions: number, cycles: number) => void) | undefined {
  if (!stderrIsTerminal) return undefined;
  const started = Date.now();
  return (instructions, cycles) => {
    if (Date.now() - started < 1000) return;
    process.stderr.write(`\rsmtnest: ${(instructions / 1e6).toFixed(0)}M instructions, ${(cycles / 1e6).toFixed(0)}M cycles`);
  };
}

function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`${path}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

// The budget lives with the options' table rather than with the pool, so
// that a single run does not load the pool's worker threads.
import { DEFAULT_MAX_INSTRUCTIONS } from './commands.ts';
export { DEFAULT_MAX_INSTRUCTIONS };

/** Console bytes go to stdout a line at a time as the guest writes them,
 * or a buffer at a time when a line is longer than the buffer. */
class LineBufferedStdout {
  private readonly pending = new Uint8Array(4096);
  private length = 0;
  write = (byte: number): void => {
    this.pending[this.length++] = byte;
    if (byte === 10 || this.length === this.pending.length) this.flush();
  };
  flush(): void {
    if (this.length) writeSync(1, this.pending.subarray(0, this.length));
    this.length = 0;
  }
}

export function runCommand(args: string[], log: Logger): number {
  const parsed = parse('run', args);
  const { values, positionals } = parsed;
  const { depth, mode, shadowing, iterations } = scenarioOptions(parsed);
  if (!values.trace) {
    notApplicable(parsed, 'trace-level', 'it chooses what --trace writes, and there is no --trace');
    notApplicable(parsed, 'trace-exits', 'it chooses what --trace writes, and there is no --trace');
  }
  if (!values.timeline) notApplicable(parsed, 'timeline-window', 'it chooses what --timeline writes, and there is no --timeline');
  if (values.json) notApplicable(parsed, 'exit-stats', 'the exits are in the JSON report (smtnest stat prints them from it)');
  const costs = loadCosts(values.cost as string | undefined);
  const maxInstructions = positiveInteger('max-instructions', values['max-instructions'] as string | undefined);
  const maxCycles = positiveInteger('max-cycles', values['max-cycles'] as string | undefined);
  const ramSize = byteSize('ram', values.ram as string | undefined);
  const json = values.json === true;

  const workload = loadProgram(positionals[0]);
  const hypervisors = hypervisorsFor(depth);
  log.info({ depth, bytes: workload.bytes.length, origin: workload.origin, entry: workload.entry }, 'program loaded');
  const stdout = new LineBufferedStdout();
  let machine: Machine;
  try {
    machine = buildMachine(
      { workload, depth, mode, shadowing, iterations, costs, ramSize, consoleSink: json ? undefined : stdout.write },
      hypervisors,
    );
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  const tracePath = values.trace as string | undefined;
  const timelinePath = values.timeline as string | undefined;
  const timeline = timelinePath ? new Timeline(cycleWindow(values['timeline-window'] as string | undefined)) : undefined;
  const images = [...hypervisors, workload];
  const levels = Array.from({ length: depth + 1 }, (_, level) => `L${level}`);
  const traceLevel = values['trace-level'] as string | undefined;
  const traceFilter = {
    level: traceLevel === undefined ? undefined : levels.indexOf(oneOf('trace-level', traceLevel, levels, 'L0')),
    exitsOnly: values['trace-exits'] === true,
  };
  const trace = tracePath
    ? new TraceWriter(tracePath, machine.memory, images.map((image) => symbolizer(image)), traceFilter)
    : undefined;
  if (trace && timeline) throw new UsageError('--trace and --timeline cannot be used in the same run');
  if (trace) machine.exits.listener = trace.transition;
  const timelineHook = timeline?.attach(machine);
  const statsPath = values.stats as string | undefined;
  // Host time goes to the --stats text alone (host_seconds), never to --json.
  const hostStart = statsPath ? performance.now() : 0;
  if (statsPath) machine.regions.hostClock = () => (performance.now() - hostStart) / 1000;
  const result = machine.run({
    maxInstructions: maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS,
    maxCycles,
    onInstruction: trace ? (cpu) => trace.record(cpu) : timelineHook,
    onProgress: progressLine(),
  });
  trace?.close();
  if (stderrIsTerminal && machine.core.instructions >= PROGRESS_INSTRUCTIONS) process.stderr.write('\r\x1b[K');
  if (timeline) writeOutput(timelinePath!, timeline.finish());
  const hostSeconds = (performance.now() - hostStart) / 1000;
  const scope = values.roi === true ? 'roi' : 'run';
  if (scope === 'roi' && !machine.regions.roi) {
    stdout.flush();
    throw new InputError(`${positionals[0]}: --roi: the run closed no region of interest (PORT_ROI begin and end), so there are no counters to limit to it`);
  }
  const report = runReport(machine, result, scope);
  if (statsPath) {
    writeOutput(
      statsPath,
      gem5Stats(report, { costs: machine.costs, dumps: machine.regions.dumps, droppedDumps: machine.regions.dropped, hostSeconds }),
    );
  }
  stdout.flush();
  log.info({ status: result.status, instructions: machine.core.instructions }, 'run finished');
  if (json) {
    writeSync(1, JSON.stringify(report, null, 2) + '\n');
    return result.exitCode;
  }
  if (values['exit-stats']) writeSync(1, exitTable(report.exits) + '\n');
  if (depth > 0 && !values.quiet) writeSync(2, exitSummary(report.exits));
  if (result.status !== 'exited' && result.status !== 'halted') writeSync(2, `smtnest: ${result.reason}\n`);
  return result.exitCode;
}
