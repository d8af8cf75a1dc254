// Test harness: assemble a program written as assembly text, run it on a
// fresh Machine, and look at the outcome by register and symbol name.

import { Machine, type RunResult } from '../../src/machine/machine.ts';
import { REGISTER_NAMES } from '../../src/isa/table.ts';
import { bitsToFlags, type Flags } from './model.ts';
import { assembleSource, type Program } from '../../src/asm/index.ts';

export const SMALL_RAM = 64 * 1024;
export const DEFAULT_BUDGET = 100_000;

const cache = new Map<string, Program>();

/** Assembles `source` (cached by text). */
export function assemble(source: string, fileName = 'test.s'): Program {
  let program = cache.get(source);
  if (!program) {
    program = assembleSource(source, fileName);
    if (cache.size > 2000) cache.clear();
    cache.set(source, program);
  }
  return program;
}

export interface RunAsmOptions {
  ramSize?: number;
  maxInstructions?: number;
  maxCycles?: number;
  /** Called after the program is loaded, before it runs. */
  setup?: (machine: Machine, run: AsmRun) => void;
}

const REG_INDEX = new Map<string, number>(REGISTER_NAMES.map((n, i) => [n, i]));

export class AsmRun {
  result!: RunResult;
  constructor(
    readonly machine: Machine,
    readonly program: Program,
  ) {}

  /** A label's address. */
  sym(name: string): number {
    const s = this.program.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  }

  /** A register's value, unsigned. */
  reg(name: string): number {
    const i = REG_INDEX.get(name);
    if (i === undefined) throw new Error(`no register ${name}`);
    return this.machine.cpu.regs[i] >>> 0;
  }

  /** All sixteen registers, unsigned, by name. */
  regs(): Record<string, number> {
    return Object.fromEntries(REGISTER_NAMES.map((n, i) => [n, this.machine.cpu.regs[i] >>> 0]));
  }

  /** The dword at a label (plus an offset) or address, unsigned. */
  word(at: string | number, offset = 0): number {
    const a = (typeof at === 'string' ? this.sym(at) : at) + offset;
    return this.machine.memory.readU32(a);
  }

  writeWord(at: string | number, value: number, offset = 0): void {
    const a = (typeof at === 'string' ? this.sym(at) : at) + offset;
    this.machine.memory.writeU32(a, value >>> 0);
  }

  /** CF ZF SF OF as the cpu's eflags getter reports them now. */
  get flags(): Flags {
    return bitsToFlags(this.machine.cpu.eflags);
  }

  get eflags(): number {
    return this.machine.cpu.eflags >>> 0;
  }

  /** How many times the instruction with this opcode executed. */
  executed(opcode: number): number {
    return this.machine.cpu.opcodeCounts[opcode];
  }
}

/** Loads `program` on a new machine and runs it. */
export function runProgram(program: Program, options: RunAsmOptions = {}): AsmRun {
  const machine = new Machine({ ramSize: options.ramSize ?? SMALL_RAM });
  machine.loadProgram(program);
  const run = new AsmRun(machine, program);
  options.setup?.(machine, run);
  run.result = machine.run({
    maxInstructions: options.maxInstructions ?? DEFAULT_BUDGET,
    ...(options.maxCycles !== undefined ? { maxCycles: options.maxCycles } : {}),
  });
  return run;
}

/** Assembles and runs `source` on a new machine (64 KiB of RAM unless told). */
export function runAsm(source: string, options: RunAsmOptions = {}): AsmRun {
  return runProgram(assemble(source), options);
}

/** `0x`-prefixed hex of an unsigned 32-bit value, for writing into sources. */
export function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16);
}
