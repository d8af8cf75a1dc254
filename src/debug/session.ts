// A debugging session in the manner of Bochs's debugger, over a machine
// whose levels run the images it was given: breakpoints at a level's
// symbol or address, or at a VM exit (`break exit EPT_VIOLATION from L2`);
// stepping and continuing; the registers of a thread or of a level, memory
// as a level sees it (through the EPT that maps that level), a thread's
// current VMCS field by field, the exits so far, and where every thread and
// level is.
//
// The machine runs one instruction at a time with a hook before each
// (Machine.runStepped), so a session costs the interpreter loop nothing
// when no debugger is attached. A session takes one command line at a time
// (execute) and says what happened through `write`; src/debug/cli.ts reads
// the lines from a terminal, a file or stdin.

import type { Program } from '../asm/index.ts';
import { symbolizer } from '../asm/index.ts';
import type { Cpu } from '../cpu/cpu.ts';
import { STATE_HALTED, STATE_MWAIT, STATE_RUNNING, STATE_STALLED } from '../cpu/thread-state.ts';
import { REGISTER_NAMES } from '../isa/table.ts';
import type { Machine, RunResult } from '../machine/machine.ts';
import { formatInstructionLine, formatTransition } from '../cli/trace.ts';
import { PROC, PROC2 } from '../cpu/vmx/controls.ts';
import { ACCESS_READ, Ept } from '../cpu/vmx/ept.ts';
import { EXIT_REASON_NAMES, EXIT_REASONS } from '../cpu/vmx/exit-reasons.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';
import { VMCS_FIELDS } from '../cpu/vmx/fields.ts';
import { F, fieldSlot, readRegionField, type VmcsCache } from '../cpu/vmx/vmcs.ts';

/** A command the session cannot carry out; its message is one line. */
export class DebugCommandError extends Error {}

type Symbolize = (address: number) => string | undefined;

interface AddressBreakpoint {
  kind: 'address';
  id: number;
  /** The level whose eip it watches, or null for any level. */
  level: number | null;
  address: number;
  text: string;
}

interface ExitBreakpoint {
  kind: 'exit';
  id: number;
  code: number;
  /** The trapping level and the one receiving the exit, or null for any. */
  from: number | null;
  to: number | null;
  text: string;
}

type Breakpoint = AddressBreakpoint | ExitBreakpoint;

/** Instructions a `continue` runs before it lets the caller look for an
 * interrupt (Ctrl-C at the terminal). */
const CHUNK_INSTRUCTIONS = 200_000;

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const STATE_NAMES: Record<number, string> = {
  [STATE_RUNNING]: 'running',
  [STATE_HALTED]: 'halted',
  [STATE_MWAIT]: 'in mwait',
  [STATE_STALLED]: 'stalled',
};
const FLAG_BITS: [number, string][] = [
  [0, 'CF'],
  [2, 'PF'],
  [6, 'ZF'],
  [7, 'SF'],
  [9, 'IF'],
  [11, 'OF'],
];

export const DEBUG_HELP = `commands (a name may be shortened to its first letter where shown):
  b|break [Lk:]SYMBOL[+N] | [Lk:]ADDRESS     stop before the instruction there (any level if none is named)
  break exit REASON [from Lk] [to Lm]        stop after a VM exit (or a forward) of that reason
  break                                      list the breakpoints
  d|delete N|all                             remove a breakpoint
  s|step [N]                                 execute N instructions (default 1) on whichever threads run, printing each
  c|continue                                 run to the next breakpoint or the end of the run
  r|regs [tN|Lk]                             registers of a thread, or of a level wherever it is
  x [Lk:]ADDRESS|SYMBOL [N]                  N dwords (default 8) of a level's guest-physical memory
  vmcs [tN] [FIELD...]                       the current VMCS of a thread: the given fields, or those this machine uses
  exits                                      the VM exits so far, per level pair and reason
  w|where                                    the symbolized eip of every thread and level
  trace on|off                               print every instruction and transition as it runs
  help                                       this list
  q|quit                                     end the session`;

export class DebugSession {
  private readonly symbolizers: Symbolize[];
  private readonly breakpoints: Breakpoint[] = [];
  private nextBreakpoint = 1;
  /** The thread of the last stop: the default of regs and vmcs. */
  private current: Cpu;
  private tracing = false;
  /** A step or continue is under way. */
  private active = false;
  /** Instructions left of a `step`, or -1 while continuing. */
  private stepsLeft = -1;
  /** The hook pauses after this many more instructions, so that the caller
   * can look for an interrupt; the step or continue goes on. */
  private chunkLeft = 0;
  /** Why the next hook stops (an exit breakpoint matched). */
  private pendingStop: string | null = null;
  /** Where the run stopped last: that instruction's breakpoint does not stop it again. */
  private resumeThread = -1;
  private resumeInstructions = -1;
  /** Per level, the VMCS that entered it last and on which thread. */
  private readonly enteredWith = new Map<number, { thread: number; vmcs: number }>();
  /** A walker of its own, so that looking at memory leaves the threads' translation caches alone. */
  private readonly ept: Ept;
  private result: RunResult | null = null;

  constructor(
    private readonly machine: Machine,
    /** The image each level runs: L0 first. */
    private readonly images: readonly Program[],
    private readonly write: (text: string) => void,
    private readonly maxInstructions: number,
  ) {
    this.symbolizers = images.map((image) => symbolizer(image));
    this.current = machine.cpu;
    this.ept = new Ept(machine.memory);
    machine.exits.listener = (event) => this.transition(event);
  }

  /** The run's outcome once it ended in the session. */
  get outcome(): RunResult | null {
    return this.result;
  }

  /** Whether a step or continue is under way (resume() carries it on). */
  get running(): boolean {
    return this.active;
  }

  /** Carries out one command line; 'quit' when the session ends. A step or
   * continue starts running: call resume() until `running` is false. */
  execute(line: string): 'quit' | undefined {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return undefined;
    const [command, ...args] = words;
    switch (command.toLowerCase()) {
      case 'b':
      case 'break':
        this.breakCommand(args);
        break;
      case 'd':
      case 'delete':
        this.deleteCommand(args);
        break;
      case 's':
      case 'step':
        this.start(args.length ? this.count(args[0], 'step') : 1);
        if (args.length > 1) throw new DebugCommandError(`step: expected at most one count, got '${args.join(' ')}'`);
        break;
      case 'c':
      case 'continue':
        this.noArguments(command, args);
        this.start(-1);
        break;
      case 'r':
      case 'regs':
        this.regsCommand(args);
        break;
      case 'x':
        this.examineCommand(args);
        break;
      case 'vmcs':
        this.vmcsCommand(args);
        break;
      case 'exits':
        this.noArguments(command, args);
        this.exitsCommand();
        break;
      case 'w':
      case 'where':
        this.noArguments(command, args);
        this.whereCommand();
        break;
      case 'trace':
        if (args.length !== 1 || (args[0] !== 'on' && args[0] !== 'off')) throw new DebugCommandError('trace: expected on or off');
        this.tracing = args[0] === 'on';
        this.write(`trace ${args[0]}`);
        break;
      case 'h':
      case 'help':
        this.write(DEBUG_HELP);
        break;
      case 'q':
      case 'quit':
        return 'quit';
      default:
        throw new DebugCommandError(`unknown command '${command}' (help lists the commands)`);
    }
    return undefined;
  }

  /** Runs the step or continue under way for up to a chunk of instructions. */
  resume(): void {
    this.chunkLeft = CHUNK_INSTRUCTIONS;
    const result = this.machine.runStepped({ maxInstructions: this.maxInstructions, beforeInstruction: (cpu) => this.beforeInstruction(cpu) });
    if (result) {
      this.result = result;
      this.active = false;
      this.write(`the run ended: ${result.reason} (status ${result.exitCode}, cycle ${this.clock()})`);
    }
  }

  /** Stops a continue where it is (Ctrl-C). */
  interrupt(): void {
    if (!this.running) return;
    this.pendingStop = 'interrupted';
  }

  private start(steps: number): void {
    if (this.result) throw new DebugCommandError(`the run has ended (${this.result.reason}); nothing is left to run`);
    this.stepsLeft = steps;
    this.active = true;
  }

  private clock(): number {
    return Math.max(...this.machine.threads.map((t) => t.cycles));
  }

  // ---- running ---------------------------------------------------------------

  private beforeInstruction(cpu: Cpu): boolean {
    const resuming = cpu.id === this.resumeThread && cpu.instructions === this.resumeInstructions;
    this.resumeThread = -1;
    if (this.pendingStop !== null) {
      const why = this.pendingStop;
      this.pendingStop = null;
      return this.stop(cpu, why);
    }
    if (!resuming) {
      for (const bp of this.breakpoints) {
        if (bp.kind === 'address' && bp.address === cpu.eip >>> 0 && (bp.level === null || bp.level === cpu.currentLevel)) {
          return this.stop(cpu, `breakpoint ${bp.id} (${bp.text})`);
        }
      }
    }
    if (this.stepsLeft === 0) return this.stop(cpu, '');
    if (this.chunkLeft-- === 0) return true;
    if (this.tracing || this.stepsLeft > 0) this.write(this.instructionLine(cpu));
    if (this.stepsLeft > 0) this.stepsLeft--;
    return false;
  }

  /** Stops before `cpu`'s next instruction, saying why and what it is. */
  private stop(cpu: Cpu, why: string): true {
    this.active = false;
    this.current = cpu;
    this.resumeThread = cpu.id;
    this.resumeInstructions = cpu.instructions;
    if (why !== '') this.write(why);
    // The instruction it stopped before, marked apart from those a step or
    // trace printed as they executed.
    this.write(`=>${this.instructionLine(cpu).slice(2)}`);
    return true;
  }

  private transition(event: TransitionEvent): void {
    if (event.kind === 'entry') {
      const thread = this.machine.threads[event.thread];
      this.enteredWith.set(event.to, { thread: event.thread, vmcs: thread.vmx.vmcs.address });
    }
    if (this.tracing || this.stepsLeft > 0) this.write(formatTransition(event, this.symbolizers));
    if (event.kind === 'entry') return;
    for (const bp of this.breakpoints) {
      if (bp.kind === 'exit' && bp.code === event.code && (bp.from === null || bp.from === event.from) && (bp.to === null || bp.to === event.to)) {
        this.pendingStop = `breakpoint ${bp.id} (${bp.text}):\n${formatTransition(event, this.symbolizers)}`;
      }
    }
  }

  private instructionLine(cpu: Cpu): string {
    return formatInstructionLine(cpu, this.machine.memory, this.symbolizers[cpu.currentLevel] ?? (() => undefined));
  }

  // ---- breakpoints -----------------------------------------------------------

  private breakCommand(args: string[]): void {
    if (args.length === 0) {
      if (this.breakpoints.length === 0) this.write('no breakpoints');
      for (const bp of this.breakpoints) this.write(`${bp.id}: ${bp.text}`);
      return;
    }
    if (args[0].toLowerCase() === 'exit') {
      this.breakOnExit(args.slice(1));
      return;
    }
    if (args.length !== 1) throw new DebugCommandError(`break: expected one location, got '${args.join(' ')}'`);
    const { level, address } = this.location(args[0], null);
    const text = `${level === null ? '' : `L${level}:`}${hex(address)}${this.describe(level, address)}`;
    const bp: AddressBreakpoint = { kind: 'address', id: this.nextBreakpoint++, level, address, text };
    this.breakpoints.push(bp);
    this.write(`breakpoint ${bp.id} at ${text}`);
  }

  private breakOnExit(args: string[]): void {
    if (args.length === 0) throw new DebugCommandError('break exit: expected an exit reason, such as EPT_VIOLATION or 48');
    const code = exitCode(args[0]);
    let from: number | null = null;
    let to: number | null = null;
    for (let i = 1; i < args.length; i += 2) {
      const which = args[i].toLowerCase();
      if ((which !== 'from' && which !== 'to') || i + 1 >= args.length) {
        throw new DebugCommandError(`break exit: expected 'from Lk' or 'to Lk', got '${args.slice(i).join(' ')}'`);
      }
      const level = this.level(args[i + 1]);
      if (which === 'from') from = level;
      else to = level;
    }
    const text = `exit ${EXIT_REASON_NAMES[code]}${from === null ? '' : ` from L${from}`}${to === null ? '' : ` to L${to}`}`;
    const bp: ExitBreakpoint = { kind: 'exit', id: this.nextBreakpoint++, code, from, to, text };
    this.breakpoints.push(bp);
    this.write(`breakpoint ${bp.id} at ${text}`);
  }

  private deleteCommand(args: string[]): void {
    if (args.length !== 1) throw new DebugCommandError('delete: expected a breakpoint number or all');
    if (args[0] === 'all') {
      this.breakpoints.length = 0;
      this.write('deleted every breakpoint');
      return;
    }
    const id = this.count(args[0], 'delete');
    const index = this.breakpoints.findIndex((bp) => bp.id === id);
    if (index < 0) throw new DebugCommandError(`delete: no breakpoint ${id}`);
    this.breakpoints.splice(index, 1);
    this.write(`deleted breakpoint ${id}`);
  }

  // ---- looking -----------------------------------------------------------------

  private regsCommand(args: string[]): void {
    if (args.length > 1) throw new DebugCommandError('regs: expected a thread (t0) or a level (L1)');
    const which = args[0];
    if (which === undefined || /^t\d+$/i.test(which)) {
      const cpu = which === undefined ? this.current : this.thread(which);
      this.write(this.threadRegisters(cpu));
      return;
    }
    const level = this.level(which);
    const holder = this.holderOf(level);
    if (holder) {
      this.write(this.threadRegisters(holder));
      return;
    }
    const saved = this.savedState(level);
    if (!saved) throw new DebugCommandError(`regs: L${level} has not run yet`);
    this.write(
      (level === 0
        ? `L0 runs on no thread now: it resumes with the host state of VMCS ${hex(saved.address)} at its guest's next exit (its general registers are its own to save)\n`
        : `L${level} runs on no thread now: its state as VMCS ${hex(saved.address)} saved it (its general registers are its hypervisor's to save)\n`) +
        `eip ${hex(saved.eip)}${this.describe(level, saved.eip)}  esp ${hex(saved.esp)}  eflags ${hex(saved.eflags)} ${flagNames(saved.eflags)}`,
    );
  }

  private threadRegisters(cpu: Cpu): string {
    if (cpu.waitingForStart) return `t${cpu.id} waits for its start`;
    const level = heldLevel(cpu);
    const lines = [
      `t${cpu.id} L${level} ${STATE_NAMES[cpu.state] ?? 'state ' + cpu.state}, cycle ${cpu.cycles}, ${cpu.instructions} instructions${cpu.vmx.nonRoot ? ', in VMX non-root operation' : ''}`,
      `eip ${hex(cpu.eip)}${this.describe(level, cpu.eip >>> 0)}  eflags ${hex(cpu.eflags)} ${flagNames(cpu.eflags)}`,
    ];
    for (let row = 0; row < REGISTER_NAMES.length; row += 4) {
      lines.push(
        REGISTER_NAMES.slice(row, row + 4)
          .map((name, i) => `${name.padStart(3)} ${hex(cpu.regs[row + i])}`)
          .join('  '),
      );
    }
    return lines.join('\n');
  }

  private examineCommand(args: string[]): void {
    if (args.length < 1 || args.length > 2) throw new DebugCommandError('x: expected [Lk:]ADDRESS|SYMBOL [N]');
    const { level, address } = this.location(args[0], 0);
    const count = args.length === 2 ? this.count(args[1], 'x') : 8;
    if (count > 1024) throw new DebugCommandError(`x: at most 1024 dwords at a time, got ${count}`);
    const lines: string[] = [];
    for (let i = 0; i < count; i += 4) {
      const at = (address + 4 * i) >>> 0;
      const words: string[] = [];
      let physical = -1;
      for (let j = i; j < Math.min(count, i + 4); j++) {
        const pa = this.physical(level!, (address + 4 * j) >>> 0);
        if (j === i) physical = pa;
        words.push(pa < 0 || pa + 4 > this.machine.memory.size ? '--------' : (this.machine.memory.readU32(pa) >>> 0).toString(16).padStart(8, '0'));
      }
      const where = level === 0 ? hex(at) : `L${level}:${hex(at)} (${physical < 0 ? 'not mapped' : hex(physical)})`;
      lines.push(`${where}  ${words.join(' ')}`);
    }
    this.write(lines.join('\n'));
  }

  /** The physical address of `level`'s guest-physical `address`, through the
   * EPT that maps that level now, or -1. */
  private physical(level: number, address: number): number {
    if (level === 0) return address;
    const eptp = this.eptpOf(level);
    if (eptp === null) return address;
    this.ept.flush();
    this.ept.select(eptp);
    return this.ept.translate(address, ACCESS_READ);
  }

  /** The EPTP that maps `level`: its thread's if it runs, else that of the
   * VMCS that entered it last; null when that VMCS has EPT off. */
  private eptpOf(level: number): number | null {
    const holder = this.holderOf(level);
    if (holder) return holder.translating ? holder.vmx.ept.eptp : null;
    const entered = this.enteredWith.get(level);
    if (!entered) throw new DebugCommandError(`x: L${level} has not run yet, so no EPT maps it`);
    const field = (index: number) => this.vmcsField(entered.vmcs, index);
    const secondary = field(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.ACTIVATE_SECONDARY_CONTROLS ? field(F.SECONDARY_VM_EXEC_CONTROL) : 0;
    return secondary & PROC2.ENABLE_EPT ? field(F.EPT_POINTER) : null;
  }

  private vmcsCommand(args: string[]): void {
    let cpu = this.current;
    let names = args;
    if (args.length > 0 && /^t\d+$/i.test(args[0])) {
      cpu = this.thread(args[0]);
      names = args.slice(1);
    }
    const vmcs = cpu.vmx.vmcs;
    if (!vmcs.loaded) throw new DebugCommandError(`vmcs: t${cpu.id} has no current VMCS`);
    const indices = names.length
      ? names.map((name) => {
          const index = VMCS_FIELDS.findIndex((f) => f.name === name.toUpperCase());
          if (index < 0) throw new DebugCommandError(`vmcs: no field '${name}' (the names are those of docs/vmx.md, as VM_EXIT_REASON)`);
          return index;
        })
      : VMCS_FIELDS.flatMap((f, i) => (f.used ? [i] : []));
    const lines = [`t${cpu.id}'s current VMCS at ${hex(vmcs.address)}${vmcs.launched ? ', launched' : ', clear'}${vmcs.shadow ? ', a shadow VMCS' : ''}`];
    for (const index of indices) lines.push(formatField(vmcs, index));
    this.write(lines.join('\n'));
  }

  private exitsCommand(): void {
    const rows = this.machine.exits.list();
    if (rows.length === 0) {
      this.write('no VM exits yet');
      return;
    }
    const lines = [`${'from'.padEnd(4)} ${'to'.padEnd(4)} ${'reason'.padEnd(24)} ${'count'.padStart(8)} ${'cycles'.padStart(12)} ${'mean'.padStart(10)}`];
    for (const row of rows) {
      lines.push(
        `${row.from.padEnd(4)} ${row.to.padEnd(4)} ${row.reason.padEnd(24)} ${String(row.count).padStart(8)} ${String(row.cycles).padStart(12)} ${String(row.mean).padStart(10)}`,
      );
    }
    this.write(lines.join('\n'));
  }

  private whereCommand(): void {
    const lines: string[] = [];
    const held = new Set<number>();
    for (const cpu of this.machine.threads) {
      if (cpu.waitingForStart) {
        lines.push(`t${cpu.id}     waits for its start`);
        continue;
      }
      const level = heldLevel(cpu);
      held.add(level);
      lines.push(`t${cpu.id} L${level} ${hex(cpu.eip)}${this.describe(level, cpu.eip >>> 0)}  ${STATE_NAMES[cpu.state] ?? ''}`);
    }
    for (let level = 0; level < this.images.length; level++) {
      if (held.has(level)) continue;
      const saved = this.savedState(level);
      lines.push(
        saved
          ? `L${level}    ${hex(saved.eip)}${this.describe(level, saved.eip)}  ${level === 0 ? 'the host state' : 'saved'} in VMCS ${hex(saved.address)}`
          : `L${level}    has not run yet`,
      );
    }
    this.write(lines.join('\n'));
  }

  /** The thread that holds `level`'s registers now, if one does. */
  private holderOf(level: number): Cpu | undefined {
    return this.machine.threads.find((t) => !t.waitingForStart && heldLevel(t) === level);
  }

  /** A level that runs on no thread: the guest state of the VMCS that
   * entered it last; for L0, which no VMCS enters, the host state where it
   * resumes at its guest's next exit. */
  private savedState(level: number): { address: number; eip: number; esp: number; eflags: number } | null {
    if (level === 0) {
      const guest = this.machine.threads.find((t) => t.vmx.nonRoot && t.vmx.vmcs.loaded);
      if (!guest) return null;
      const vmcs = guest.vmx.vmcs;
      return { address: vmcs.address, eip: vmcs.get(F.HOST_RIP) >>> 0, esp: vmcs.get(F.HOST_RSP) >>> 0, eflags: 2 };
    }
    const entered = this.enteredWith.get(level);
    if (!entered) return null;
    const field = (index: number) => this.vmcsField(entered.vmcs, index) >>> 0;
    return { address: entered.vmcs, eip: field(F.GUEST_RIP), esp: field(F.GUEST_RSP), eflags: field(F.GUEST_RFLAGS) };
  }

  /** A field of the VMCS at `address`: from the thread that holds it current, else from memory. */
  private vmcsField(address: number, index: number): number {
    const holder = this.machine.threads.find((t) => t.vmx.vmcs.address === address);
    return holder ? holder.vmx.vmcs.get(index) : readRegionField(this.machine.memory, address, fieldSlot(index));
  }

  // ---- arguments -----------------------------------------------------------------

  /** `[Lk:]SYMBOL[+N]` or `[Lk:]ADDRESS`; a number without a level is of
   * `defaultLevel` (null: any level), a symbol of the one image defining it. */
  private location(text: string, defaultLevel: number | null): { level: number | null; address: number } {
    const match = /^(?:(L\d+):)?(.+)$/i.exec(text)!;
    const level = match[1] === undefined ? null : this.level(match[1]);
    const spec = match[2];
    const number = parseNumber(spec);
    if (number !== null) return { level: level ?? defaultLevel, address: number };
    const symbolic = /^([A-Za-z_.][\w.@$]*)(?:([+-])(\w+))?$/.exec(spec);
    const offset = symbolic?.[3] === undefined ? 0 : parseNumber(symbolic[3]);
    if (!symbolic || offset === null) throw new DebugCommandError(`'${text}' is neither an address nor a symbol`);
    const name = symbolic[1];
    const levels = level === null ? this.images.map((_, l) => l) : [level];
    const found = levels.flatMap((l) => {
      const symbol = this.images[l].symbols.find((s) => s.name === name);
      return symbol ? [{ level: l, address: symbol.address }] : [];
    });
    if (found.length === 0) {
      throw new DebugCommandError(`no symbol '${name}' in ${level === null ? 'any level\'s image' : `L${level}'s image`}`);
    }
    if (found.length > 1) {
      throw new DebugCommandError(`'${name}' is a symbol of ${found.map((f) => `L${f.level}`).join(', ')}: name the level, as L${found[0].level}:${name}`);
    }
    return { level: found[0].level, address: (found[0].address + (symbolic[2] === '-' ? -offset : offset)) >>> 0 };
  }

  private level(text: string): number {
    const match = /^L(\d+)$/i.exec(text);
    const level = match ? Number(match[1]) : -1;
    if (level < 0 || level >= this.images.length) {
      throw new DebugCommandError(`'${text}' is not a level of this run (L0..L${this.images.length - 1})`);
    }
    return level;
  }

  private thread(text: string): Cpu {
    const id = Number(text.slice(1));
    const cpu = this.machine.threads[id];
    if (!cpu) throw new DebugCommandError(`'${text}' is not a hardware thread (t0..t${this.machine.threads.length - 1})`);
    return cpu;
  }

  private count(text: string, command: string): number {
    const n = parseNumber(text);
    if (n === null || n < 1) throw new DebugCommandError(`${command}: expected a positive number, got '${text}'`);
    return n;
  }

  private noArguments(command: string, args: string[]): void {
    if (args.length) throw new DebugCommandError(`${command}: takes no arguments, got '${args.join(' ')}'`);
  }

  /** " <symbol>" for an address of a level's image, else "". */
  private describe(level: number | null, address: number): string {
    const symbol = level === null ? undefined : this.symbolizers[level]?.(address);
    return symbol ? ` <${symbol}>` : '';
  }
}

/** The level whose registers a thread holds: its guest's in non-root
 * operation (also a stalled hw-mode guest thread), else its hypervisor's. */
function heldLevel(cpu: Cpu): number {
  return cpu.vmx.nonRoot ? cpu.guestLevel : cpu.hostLevel;
}

function parseNumber(text: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 0xffffffff ? n : null;
  }
  return null;
}

function exitCode(text: string): number {
  const number = parseNumber(text);
  const reason = EXIT_REASONS.find((r) => r.name === text.toUpperCase() || r.code === number);
  if (!reason) throw new DebugCommandError(`no exit reason '${text}' (the names are those of docs/vmx.md, as EPT_VIOLATION)`);
  return reason.code;
}

function flagNames(eflags: number): string {
  const set = FLAG_BITS.filter(([bit]) => eflags & (1 << bit)).map(([, name]) => name);
  return `[${set.join(' ')}]`;
}

function formatField(vmcs: VmcsCache, index: number): string {
  const field = VMCS_FIELDS[index];
  const wide = ((field.encoding >>> 13) & 3) === 1;
  const value = wide && vmcs.high(index) !== 0 ? `0x${(vmcs.high(index) >>> 0).toString(16)}${(vmcs.get(index) >>> 0).toString(16).padStart(8, '0')}` : hex(vmcs.get(index));
  const meaning = field.name === 'VM_EXIT_REASON' ? `  ${EXIT_REASON_NAMES[vmcs.get(index) & 0xffff] ?? ''}` : '';
  return `  ${field.name.padEnd(32)} ${value}${meaning}`;
}
