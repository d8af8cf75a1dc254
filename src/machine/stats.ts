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
  // The deepest level that ran or only waited: a guest entered in the HLT
  // activity state, say, has cycles and no instructions.
  let deepest = depth;
  for (const t of threads) {
    t.levelInstructions.forEach((n, level) => {
      if (n > 0 || t.levelCycles[level] > 0) deepest = Math.max(deepest, level);
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
  const stats: MachineStats = {
    // The run lasted as long as its furthest clock; instructions are all threads'.
    cycles: Math.max(...threads.map((t) => t.cycles)),
    instructions: sum((t) => t.instructions),
    levels,
    threads: threads.map((t) => {
      const ran = Object.keys(levels).filter((_, level) => t.levelInstructions[level] > 0);
      // A level that only waited on the thread (a thread parked before its
      // start, charged to the level it waited in) has cycles there too.
      const charged = Object.keys(levels).filter((_, level) => t.levelInstructions[level] > 0 || t.levelCycles[level] > 0);
      return {
        thread: t.id,
        levels: ran,
        instructions: t.instructions,
        cycles: t.cycles,
        perLevel: Object.fromEntries(
          charged.map((name) => [name, { instructions: t.levelInstructions[Number(name.slice(1))], cycles: t.levelCycles[Number(name.slice(1))] }]),
        ),
      };
    }),
    exits: machine.exits.list(),
    opcodes: opcodeTable((op) => sum((t) => t.opcodeCounts[op])),
    vectors,
  };
  // Every instruction and cycle is some level's on some thread: a counter
  // that does not add up is the emulator's bug, never the guest's.
  const wrong = counterDiscrepancies(stats);
  if (wrong.length) throw new Error(`the counters do not add up: ${wrong.join('; ')}`);
  return stats;
}

/** Where the counters of `stats` do not add up: the levels' instructions and
 * cycles against the totals over threads, and each thread's levels against
 * the thread. Empty when they all do. */
export function counterDiscrepancies(stats: MachineStats): string[] {
  const wrong: string[] = [];
  const check = (what: string, parts: number, whole: number) => {
    if (parts !== whole) wrong.push(`${what}: the parts sum to ${parts}, the total is ${whole}`);
  };
  const levels = Object.values(stats.levels);
  check('instructions of the levels', levels.reduce((n, l) => n + l.instructions, 0), stats.instructions);
  check(
    'cycles of the levels',
    levels.reduce((n, l) => n + l.cycles, 0),
    stats.threads.reduce((n, t) => n + t.cycles, 0),
  );
  for (const thread of stats.threads) {
    const perLevel = Object.values(thread.perLevel);
    check(`instructions of thread ${thread.thread}'s levels`, perLevel.reduce((n, l) => n + l.instructions, 0), thread.instructions);
    check(`cycles of thread ${thread.thread}'s levels`, perLevel.reduce((n, l) => n + l.cycles, 0), thread.cycles);
  }
  return wrong;
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
        const cycles = level.cycles - (then.perLevel[name]?.cycles ?? 0);
        if (instructions > 0 || cycles > 0) perLevel[name] = { instructions, cycles };
      }
      return {
        thread: thread.thread,
        levels: Object.keys(perLevel).filter((name) => perLevel[name].instructions > 0),
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
