// The smtnest library: build a machine, load a program, run it, inspect it.

export { Machine, DEFAULT_RAM_SIZE, EXIT_STATUS } from './machine/machine.ts';
export type { MachineOptions, RunOptions, RunResult, RunStatus } from './machine/machine.ts';
export { runReport } from './machine/run-report.ts';
export type { RunReport } from './machine/run-report.ts';
export type { MachineStats, ExitRow } from './machine/stats.ts';
export { Memory } from './memory/memory.ts';
export { Cpu, VECTOR_DE, VECTOR_UD, VECTOR_GP } from './cpu/cpu.ts';
export { INSTRUCTIONS, BY_MNEMONIC, BY_OPCODE, REGISTER_NAMES } from './isa/table.ts';
export { encode, decode } from './isa/encoding.ts';
export { disassemble, formatInstruction } from './isa/disasm.ts';
export { assembleFile, assembleSource, AssemblyError, formatDiagnostic } from './asm/index.ts';
export type { Program, Diagnostic, AssembleOptions } from './asm/index.ts';
