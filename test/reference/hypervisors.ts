// Helpers the hypervisor test suites share: symbols of an image, the stop
// statuses the hypervisors define, and counts taken from a run's statistics.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Program } from '../../src/asm/index.ts';
import type { Machine } from '../../src/machine/machine.ts';
import type { Mode } from '../../src/machine/bootinfo.ts';
import { assembleGuest, buildMachine } from '../../src/machine/scenario.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';

/** The address of `name` in `program`. */
export function symbol(program: Program, name: string): number {
  const found = program.symbols.find((s) => s.name === name);
  if (!found) throw new Error(`no symbol ${name}`);
  return found.address;
}

/** The HV_STATUS_* debug-exit statuses of guests/include/hypervisor.inc, by name. */
export const STATUS = Object.fromEntries(
  [...readFileSync(join(PROJECT_ROOT, 'guests/include/hypervisor.inc'), 'utf8').matchAll(/^HV_STATUS_(\w+)\s+equ\s+(\S+)/gm)].map(
    ([, name, value]) => [name, Number(value)],
  ),
) as Record<string, number>;

/** Exits per reason of a depth-1 run (every row must be L1 -> L0). */
export function exitCounts(machine: Machine): Record<string, number> {
  const rows = machine.stats().exits;
  for (const row of rows) expect([row.from, row.to]).toEqual(['L1', 'L0']);
  return Object.fromEntries(rows.map((row) => [row.reason, row.count]));
}

/** Instructions of the given mnemonics executed by every level. */
export function executed(machine: Machine, ...mnemonics: string[]): number {
  return Object.entries(machine.stats().opcodes)
    .filter(([form]) => mnemonics.includes(form.split(' ')[0]))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Every example and workload, assembled, by file name. */
export function bundledGuests(): [string, Program][] {
  return ['examples', 'workloads'].flatMap((dir) =>
    readdirSync(join(PROJECT_ROOT, 'guests', dir))
      .filter((f) => f.endsWith('.s'))
      .sort()
      .map((f): [string, Program] => [f, assembleGuest(join(PROJECT_ROOT, 'guests', dir, f))]),
  );
}

/** Bundled programs driven by device interrupts, whose instruction counts
 * depend on when the interrupts arrive, and so on the mode and depth: the
 * timer example (a tick may already be pending when its handler returns)
 * and the I/O workloads (transmit and receive completions share the NIC's
 * vector, and one interrupt may report both or one). Their console output
 * is the same everywhere; their instruction counts need not be. */
export const TIMING_DEPENDENT: readonly string[] = ['timer.s', 'io-rr.s', 'io-stream.s', 'kv.s', 'web.s'];

/** The trampoline L0 (and L1) starts a guest at in hw mode: mov ebx, block; jmp entry. */
export const TRAMPOLINE = 2;

const MODE_BUDGET = 50_000_000;

/** A scenario's run, as the mode tests read it. */
export interface ModeOutcome {
  machine: Machine;
  status: string;
  exitCode: number;
  console: string;
  /** Instructions the workload (the deepest level) executed, on whichever thread. */
  guestInstructions: number;
}

/** `workload` at `depth` in `mode` under the bundled hypervisors (buildMachine), to its end. */
export function runMode(workload: Program, depth: number, mode: Mode, shadowing = false, iterations = 0): ModeOutcome {
  const machine = buildMachine({ workload, depth, mode, shadowing, iterations });
  const result = machine.run({ maxInstructions: MODE_BUDGET });
  let guestInstructions = 0;
  for (const thread of machine.threads) {
    thread.switchLevel(thread.currentLevel); // charge what ran since the last switch
    guestInstructions += thread.levelInstructions[depth];
  }
  return { machine, status: result.status, exitCode: result.exitCode, console: machine.serial.text(), guestInstructions };
}
