// Statistics of a run, per hardware thread and per level from the start:
// the JSON report of `smtnest run --json` is built here and nowhere else.
// Key order is fixed, so the same run gives byte-identical JSON.

import { INSTRUCTIONS } from '../isa/table.ts';
import { VECTOR_NAMES } from '../cpu/cpu.ts';
import type { ExitRow } from '../vmx/exit-stats.ts';
import type { Machine, RunResult } from './machine.ts';

export type { ExitRow };

export interface LevelStats {
  instructions: number;
  cycles: number;
  /** Instructions this level executed, per form, nonzero only. */
  opcodes: Record<string, number>;
}

export interface ThreadStats {
  thread: number;
  /** The levels that ran on this thread. */
  levels: string[];
  instructions: number;
  cycles: number;
}

export interface MachineStats {
  cycles: number;
  instructions: number;
  levels: Record<string, LevelStats>;
  threads: ThreadStats[];
  exits: ExitRow[];
  /** Executed instructions per form ("add r,r"), in instruction-table order, nonzero only. */
  opcodes: Record<string, number>;
  /** Exceptions and interrupts delivered, per vector ("13 #GP (general protection)"). */
  vectors: Record<string, number>;
}

export interface RunReport extends MachineStats {
  status: RunResult['status'];
  exitCode: number;
  reason: string;
  console: string;
  mode: string;
  depth: number;
  shadowing: boolean;
}

export function formName(mnemonic: string, operands: readonly string[]): string {
  return operands.length ? `${mnemonic} ${operands.join(',')}` : mnemonic;
}

/** Counts per instruction form, in table order, nonzero only. */
function opcodeTable(count: (opcode: number) => number): Record<string, number> {
  const table: Record<string, number> = {};
  for (const form of INSTRUCTIONS) {
    const n = count(form.opcode);
    if (n > 0) table[formName(form.mnemonic, form.operands)] = n;
  }
  return table;
}

export function collectStats(machine: Machine): MachineStats {
  const cpu = machine.cpu;
  cpu.switchLevel(cpu.vmx.nonRoot ? cpu.guestLevel : cpu.hostLevel);
  const depth = machine.bootInfo?.depth ?? 0;
  const levels: Record<string, LevelStats> = {};
  let deepest = depth;
  cpu.levelInstructions.forEach((n, level) => {
    if (n > 0) deepest = Math.max(deepest, level);
  });
  for (let level = 0; level <= deepest; level++) {
    levels[`L${level}`] = {
      instructions: cpu.levelInstructions[level],
      cycles: cpu.levelCycles[level],
      opcodes: opcodeTable((op) => cpu.levelOpcodeCounts[level * 256 + op]),
    };
  }
  const opcodes = opcodeTable((op) => cpu.opcodeCounts[op]);
  const vectors: Record<string, number> = {};
  cpu.vectorCounts.forEach((count, vector) => {
    if (count > 0) vectors[VECTOR_NAMES[vector] ? `${vector} ${VECTOR_NAMES[vector]}` : String(vector)] = count;
  });
  return {
    cycles: cpu.cycles,
    instructions: cpu.instructions,
    levels,
    threads: [{ thread: cpu.id, levels: Object.keys(levels), instructions: cpu.instructions, cycles: cpu.cycles }],
    exits: machine.exits.list(),
    opcodes,
    vectors,
  };
}

export function runReport(machine: Machine, result: RunResult): RunReport {
  const stats = machine.stats();
  return {
    status: result.status,
    exitCode: result.exitCode,
    reason: result.reason,
    console: machine.serial.text(),
    mode: machine.bootInfo?.mode ?? 'baseline',
    depth: machine.bootInfo?.depth ?? 0,
    shadowing: machine.bootInfo?.shadowing ?? false,
    ...stats,
  };
}
