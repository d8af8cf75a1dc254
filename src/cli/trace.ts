// --trace FILE: one line per instruction, written before it executes:
//   cycle  thread  level  eip  symbol  disassembly
// and a line for every VM exit, forwarded exit and VM entry:
//   cycle  thread  ===  exit CPUID L2 -> L0 eip 0x1024 <loop+0x8> qual 0x0
// A guest's eip is guest-physical: it is translated through the thread's
// EPT to decode it, and named with the symbols of that level's image.
// --trace-level Lk keeps the instructions of one level; --trace-exits keeps
// only the transitions. Tracing runs the machine one instruction per step,
// so it costs nothing when it is off.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Cpu } from '../cpu/cpu.ts';
import { decode } from '../isa/encoding.ts';
import { EXIT_REASON_NAMES } from '../cpu/vmx/exit-reasons.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';
import { formatInstruction } from '../isa/disasm.ts';
import type { Memory } from '../memory/memory.ts';
import { InputError } from './errors.ts';

const FLUSH_LINES = 4096;

type Symbolize = (address: number) => string | undefined;

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** A transition's trace line. An exit names the trapping level's eip (with
 * that level's symbol) and the exit qualification; a forward repeats those
 * of the exit it forwards; an entry names where the guest resumes. */
export function formatTransition(e: TransitionEvent, symbolizers: readonly Symbolize[]): string {
  const reason = EXIT_REASON_NAMES[e.code] ?? `REASON_${e.code}`;
  const guest = e.kind === 'entry' ? e.to : e.from;
  const symbol = symbolizers[guest]?.(e.eip >>> 0);
  const at = `eip ${hex(e.eip)}${symbol ? ` <${symbol}>` : ''}`;
  const what =
    e.kind === 'exit'
      ? `exit ${reason} L${e.from} -> L${e.to} ${at} qual ${hex(e.qualification)}`
      : e.kind === 'forward'
        ? `forward ${reason} L${e.from} -> L${e.to} ${at} qual ${hex(e.qualification)}`
        : `entry L${e.from} -> L${e.to} ${at}`;
  return `${String(e.cycle).padStart(12)} t${e.thread} === ${what}`;
}

/** The instruction `cpu` is about to execute, as a trace line: cycle,
 * thread, level, eip, symbol, disassembly. */
export function formatInstructionLine(cpu: Cpu, memory: Memory, symbolize: Symbolize): string {
  const eip = cpu.eip >>> 0;
  const readWord = (a: number): number => {
    const pa = cpu.physicalAddress(a);
    return pa >= 0 && pa + 4 <= memory.size ? memory.readU32(pa) : 0;
  };
  const pa = cpu.physicalAddress(eip);
  const decoded = (eip & 3) === 0 && pa >= 0 && pa + 4 <= memory.size ? decode(readWord, eip) : null;
  const text = decoded ? formatInstruction(decoded, symbolize) : '(does not decode)';
  const where = symbolize(eip) ?? '';
  return `${String(cpu.cycles).padStart(12)} t${cpu.id} L${cpu.currentLevel} ${eip.toString(16).padStart(8, '0')} ${where.padEnd(24)} ${text}`;
}

export class TraceWriter {
  private readonly fd: number;
  private lines: string[] = [];

  /** `symbolizers[level]` names addresses of the image that runs at that level. */
  constructor(
    path: string,
    private readonly memory: Memory,
    private readonly symbolizers: readonly ((address: number) => string | undefined)[],
    private readonly filter: { level?: number; exitsOnly?: boolean } = {},
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new InputError(`${path}: cannot write trace: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }

  /** Records a VM exit, forwarded exit or VM entry. */
  readonly transition = (e: TransitionEvent): void => {
    this.push(formatTransition(e, this.symbolizers));
  };

  /** Records the instruction `cpu` is about to execute (unless filtered out). */
  record(cpu: Cpu): void {
    const level = cpu.currentLevel;
    if (this.filter.exitsOnly || (this.filter.level !== undefined && level !== this.filter.level)) return;
    this.push(formatInstructionLine(cpu, this.memory, this.symbolizers[level] ?? (() => undefined)));
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= FLUSH_LINES) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }
}
