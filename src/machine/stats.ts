// Statistics of a run, per hardware thread and per level from the start:
// the JSON report (src/machine/run-report.ts) puts them beside the run's outcome.
// Key order is fixed, so the same run gives byte-identical JSON.

import { INSTRUCTIONS } from '../isa/table.ts';
import { VECTOR_NAMES } from '../cpu/cpu.ts';
import type { ExitRow, ExitStats } from '../cpu/vmx/exit-stats.ts';
import type { Cpu } from '../cpu/cpu.ts';

export type { ExitRow };

/** What the counters are read from: the machine's threads, its exit
 * recorder and the depth it booted at (a Machine is one). */
export interface CounterSource {
  readonly threads: readonly Cpu[];
  readonly exits: ExitStats;
  readonly bootInfo: { readonly depth: number } | null;
}

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
  /** Per level that ran on this thread: its instructions and cycles here
   * (gem5's per-thread vectors; the levels' totals sum them). */
  perLevel: Record<string, { instructions: number; cycles: number }>;
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

export function collectStats(machine: CounterSource): MachineStats {
  const threads = machine.threads;
  for (const t of threads) t.switchLevel(t.currentLevel);
  const depth = machine.bootInfo?.depth ?? 0;
  const sum = (f: (t: Cpu) => number) => threads.reduce((n, t) => n + f(t), 0);
  let deepest = depth;
  for (const t of threads) {
    t.levelInstructions.forEach((n, level) => {
      if (n > 0) deepest = Math.max(deepest, level);
    });
  }
  const levels: Record<string, LevelStats> = {};
  for (let level = 0; level <= deepest; level++) {
    levels[`L${level}`] = {
      instructions: sum((t) => t.levelInstructions[level]),
      cycles: sum((t) => t.levelCycles[level]),
      opcodes: opcodeTable((op) => sum((t) => t.levelOpcodeCounts[level * 256 + op])),
    };
  }
  const vectors: Record<string, number> = {};
  for (let vector = 0; vector < 256; vector++) {
    const count = sum((t) => t.vectorCounts[vector]);
    if (count > 0) vectors[VECTOR_NAMES[vector] ? `${vector} ${VECTOR_NAMES[vector]}` : String(vector)] = count;
  }
  return {
    // The run lasted as long as its furthest clock; instructions are all threads'.
    cycles: Math.max(...threads.map((t) => t.cycles)),
    instructions: sum((t) => t.instructions),
    levels,
    threads: threads.map((t) => {
      const ran = Object.keys(levels).filter((_, level) => t.levelInstructions[level] > 0);
      return {
        thread: t.id,
        levels: ran,
        instructions: t.instructions,
        cycles: t.cycles,
        perLevel: Object.fromEntries(
          ran.map((name) => [name, { instructions: t.levelInstructions[Number(name.slice(1))], cycles: t.levelCycles[Number(name.slice(1))] }]),
        ),
      };
    }),
    exits: machine.exits.list(),
    opcodes: opcodeTable((op) => sum((t) => t.opcodeCounts[op])),
    vectors,
  };
}

/** What ran between two collections of a run's counters: `end` less
 * `begin`, with `exits` counted in between and lasting `cycles`. */
export function statsBetween(end: MachineStats, begin: MachineStats, exits: ExitRow[], cycles: number): MachineStats {
  const table = (now: Record<string, number>, then: Record<string, number> | undefined) => {
    const out: Record<string, number> = {};
    for (const [key, n] of Object.entries(now)) if (n - (then?.[key] ?? 0) > 0) out[key] = n - (then?.[key] ?? 0);
    return out;
  };
  const levels: Record<string, LevelStats> = {};
  for (const [name, level] of Object.entries(end.levels)) {
    const then = begin.levels[name];
    levels[name] = {
      instructions: level.instructions - (then?.instructions ?? 0),
      cycles: level.cycles - (then?.cycles ?? 0),
      opcodes: table(level.opcodes, then?.opcodes),
    };
  }
  return {
    cycles,
    instructions: end.instructions - begin.instructions,
    levels,
    threads: end.threads.map((thread) => {
      const then = begin.threads[thread.thread];
      const perLevel: ThreadStats['perLevel'] = {};
      for (const [name, level] of Object.entries(thread.perLevel)) {
        const instructions = level.instructions - (then.perLevel[name]?.instructions ?? 0);
        if (instructions > 0) perLevel[name] = { instructions, cycles: level.cycles - (then.perLevel[name]?.cycles ?? 0) };
      }
      return {
        thread: thread.thread,
        levels: Object.keys(perLevel),
        instructions: thread.instructions - then.instructions,
        cycles: thread.cycles - then.cycles,
        perLevel,
      };
    }),
    exits,
    opcodes: table(end.opcodes, begin.opcodes),
    vectors: table(end.vectors, begin.vectors),
  };
}
