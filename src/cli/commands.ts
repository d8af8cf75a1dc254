// The command line as one table: every command, its arguments, every option
// with its value, default and meaning, and examples. `smtnest help`,
// `smtnest <command> --help` and the parser (args.ts) all come from it, so
// an option cannot be accepted without being documented, or the reverse.

export interface OptionSpec {
  /** The long name, without the dashes. */
  name: string;
  short?: string;
  /** The value's placeholder (FILE, N, ...); a flag without one takes no value. */
  value?: string;
  /** The values accepted, when they are a fixed set. */
  choices?: readonly string[];
  /** What the command does without the option, as help shows it; given to the command as the value. */
  default?: string;
  /** What help says when there is no default value to give (such as "the workload's own"). */
  defaultText?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments in commander's syntax: <required>, [optional], [many...]. */
  arguments: { name: string; description: string }[];
  summary: string;
  options: OptionSpec[];
  examples: string[];
}

const LEVELS = ['0', '1', '2'];
const NESTED_DEPTHS = ['1', '2'];
const MODES = ['baseline', 'sw', 'hw'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every command takes these. */
const COMMON: OptionSpec[] = [
  { name: 'log-level', value: 'LEVEL', choices: LOG_LEVELS, default: 'warn', description: 'diagnostics on stderr (pino)' },
  { name: 'no-jit', description: 'interpret only, as SMTNEST_JIT=off does (SMTNEST_JIT=off|auto|always, default auto; docs/performance.md)' },
];

const iterations: OptionSpec = {
  name: 'iterations',
  value: 'N',
  defaultText: "the workload's own",
  description: 'rounds a bundled workload measures',
};
const cost: OptionSpec = { name: 'cost', value: 'FILE', defaultText: 'docs/cost-model.md', description: 'a JSON object of cost-model parameters to override' };
const depth: OptionSpec = { name: 'depth', value: 'N', choices: LEVELS, default: '0', description: 'levels of hypervisor under the program: 0 bare, 1 under L0, 2 under L1 under L0' };
const mode: OptionSpec = { name: 'mode', value: 'MODE', choices: MODES, default: 'baseline', description: 'how the hypervisors run their guests (docs/modes.md); needs --depth 1 or 2' };
const shadow: OptionSpec = { name: 'shadow', value: 'on|off', choices: ['on', 'off'], default: 'off', description: "VMCS shadowing for L1's vmread/vmwrite; needs --depth 2" };
const nestedDepth: OptionSpec = { name: 'depth', value: 'N', choices: NESTED_DEPTHS, default: '2', description: 'levels of hypervisor under the workload' };
/** Default instruction budget of a run: about ten seconds of guest time on a slow host. */
export const DEFAULT_MAX_INSTRUCTIONS = 2_000_000_000;

const maxInstructions: OptionSpec = { name: 'max-instructions', value: 'N', default: String(DEFAULT_MAX_INSTRUCTIONS), description: 'instruction budget (exit status 124 when spent)' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    arguments: [{ name: '<program>', description: 'an assembly file (.s, .asm), an image from smtnest asm, or a bundled program by name' }],
    summary: 'run a program bare or nested; print its console, and with --json every counter',
    options: [
      depth,
      mode,
      shadow,
      { name: 'json', description: 'print the run report as JSON (docs/statistics.md) instead of the console' },
      { name: 'quiet', description: 'no exit summary on stderr after a nested run' },
      { name: 'exit-stats', description: 'print the exits per reason as perf kvm stat does, after the console' },
      maxInstructions,
      { name: 'max-cycles', value: 'N', defaultText: 'none', description: 'cycle budget (exit status 124 when spent)' },
      { name: 'ram', value: 'SIZE', defaultText: '16M bare, 32M nested', description: 'RAM of the machine: 65536, 64K, 16M' },
      { name: 'trace', value: 'FILE', description: 'one line per instruction: cycle, thread, level, eip, symbol, disassembly' },
      { name: 'trace-level', value: 'Lk', description: 'trace one level only; needs --trace' },
      { name: 'trace-exits', description: 'trace VM exits, forwards and entries only; needs --trace' },
      cost,
      iterations,
      { name: 'timeline', value: 'FILE', description: 'a Chrome trace for Perfetto: what each hardware thread ran, trap by trap' },
      { name: 'timeline-window', value: 'A..B', defaultText: 'the whole run', description: 'the cycles the timeline covers; needs --timeline' },
      { name: 'stats', value: 'FILE', description: 'gem5-style statistics: the configuration, one dump per region of interest, the whole run' },
      { name: 'roi', description: "limit every counter to the workload's region of interest (PORT_ROI)" },
    ],
    examples: [
      'smtnest run hello.s',
      'smtnest run cpuid --depth 2 --shadow on --json',
      'smtnest run io-rr --depth 2 --mode hw --roi --exit-stats',
    ],
  },
  {
    name: 'stat',
    arguments: [{ name: '<report.json>', description: 'the output of smtnest run --json' }],
    summary: "a run's VM exits per reason as perf kvm stat prints them",
    options: [],
    examples: ['smtnest run io-rr --depth 2 --json > r.json && smtnest stat r.json'],
  },
  {
    name: 'compare',
    arguments: [{ name: '<workload>', description: 'a program, as run takes it' }],
    summary: 'every mode, VMCS shadowing off and on, as one table of exits and cycles',
    options: [
      nestedDepth,
      iterations,
      cost,
      { name: 'json', description: 'the table as JSON' },
      { name: 'csv', description: 'the table as CSV' },
    ],
    examples: ['smtnest compare cpuid --depth 2', 'smtnest compare io-rr --iterations 20 --csv'],
  },
  {
    name: 'sweep',
    arguments: [{ name: '<workload>', description: 'a program, as run takes it' }],
    summary: 'one cost parameter across a range, in every mode, as CSV',
    options: [
      { name: 'param', value: 'NAME=A..B', description: 'the cost parameter and its range (required; names: docs/cost-model.md)' },
      { name: 'points', value: 'N', default: '5', description: 'values of the range, evenly spaced' },
      nestedDepth,
      iterations,
    ],
    examples: ['smtnest sweep cpuid --param vmExit=500..2000 --points 4', 'smtnest sweep io-rr --param mwaitWakeLatency=0..4000'],
  },
  {
    name: 'paper',
    arguments: [],
    summary: "the paper's evaluation: every workload native, single-level and nested in each mode (what npm start runs)",
    options: [
      { name: 'json', description: 'the table as data, one row per workload and metric' },
      iterations,
      { name: 'shadow', value: 'on|off', choices: ['on', 'off'], defaultText: 'both, one table each', description: 'VMCS shadowing of the nested runs' },
    ],
    examples: ['smtnest paper', 'smtnest paper --json --shadow on'],
  },
  {
    name: 'report',
    arguments: [{ name: '[workload...]', description: 'the workloads drawn (default: cpuid io-rr io-stream kv web)' }],
    summary: "one HTML page of charts of where nested traps' cycles go",
    options: [{ name: 'html', value: 'FILE', description: 'the page to write (required)' }, iterations],
    examples: ['smtnest report --html report.html', 'smtnest report cpuid io-rr --html r.html --iterations 20'],
  },
  {
    name: 'demo',
    arguments: [],
    summary: 'every bundled program at every depth and mode, console checked against the bare run',
    options: [],
    examples: ['smtnest demo'],
  },
  {
    name: 'asm',
    arguments: [{ name: '<file.s>', description: 'an assembly source' }],
    summary: 'assemble a source into an image with its symbols',
    options: [{ name: 'output', short: 'o', value: 'IMAGE', description: 'the image to write (required)' }],
    examples: ['smtnest asm hello.s -o hello.img'],
  },
  {
    name: 'disasm',
    arguments: [{ name: '<program>', description: 'an image, an assembly source or a bundled program' }],
    summary: 'disassemble a program, with its symbols',
    options: [],
    examples: ['smtnest disasm hello.img'],
  },
  {
    name: 'debug',
    arguments: [{ name: '<program>', description: 'a program, as run takes it' }],
    summary: 'a debugger: break at a symbol, an address or an exit reason; step, regs, x, vmcs, where',
    options: [
      depth,
      mode,
      shadow,
      iterations,
      cost,
      maxInstructions,
      { name: 'commands', value: 'FILE', defaultText: 'the terminal, or stdin', description: 'the debugger commands to run' },
    ],
    examples: ['smtnest debug hello --depth 2', 'smtnest debug cpuid --depth 2 --commands session.txt'],
  },
  {
    name: 'help',
    arguments: [{ name: '[command]', description: 'a command' }],
    summary: 'this list, or one command in full',
    options: [],
    examples: ['smtnest help run'],
  },
].map((command) => ({ ...command, options: [...command.options, ...COMMON] }));

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
