// The life of one trap, step by step, as a run measures it: every hardware
// transition and every exit a hypervisor forwarded, from the trap of one L2
// instruction until L2 runs again. Generated into docs/nesting.md and
// docs/modes.md from the transition events of a run, so that every number
// in those accounts is a measurement.

import { join } from 'node:path';
import type { Mode } from '../machine/bootinfo.ts';
import { assembleGuest, buildMachine } from '../machine/scenario.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { EXIT, EXIT_REASON_NAMES } from '../cpu/vmx/exit-reasons.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';

export interface TrapQuery {
  /** A guest program, relative to the project. */
  workload: string;
  mode: Mode;
  shadowing: boolean;
  /** The exit reason followed, and which of its L2 traps (0 = the first). */
  reason: number;
  nth: number;
  iterations?: number;
}

/** One L2 CPUID of the cpuid workload: the second, so that one-time work is out of the way. */
export const NESTED_CPUID: Omit<TrapQuery, 'mode' | 'shadowing'> = {
  workload: 'guests/workloads/cpuid.s',
  reason: EXIT.CPUID,
  nth: 1,
  iterations: 3,
};

/** One L2 port write: the second character hello.s prints. */
export const NESTED_IO: Omit<TrapQuery, 'mode' | 'shadowing'> = {
  workload: 'guests/examples/hello.s',
  reason: EXIT.IO_INSTRUCTION,
  nth: 1,
};

/** The transitions from the trap until L2 runs again. */
export function oneTrap(query: TrapQuery): TransitionEvent[] {
  const workload = assembleGuest(join(PROJECT_ROOT, query.workload));
  const machine = buildMachine({ workload, depth: 2, mode: query.mode, shadowing: query.shadowing, iterations: query.iterations });
  const events: TransitionEvent[] = [];
  machine.exits.listener = (event) => events.push(event);
  const result = machine.run({ maxInstructions: 100_000_000 });
  if (result.status !== 'exited' || result.exitCode !== 0) throw new Error(`${query.workload} at depth 2: ${result.reason}`);
  const traps = events
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.kind === 'exit' && e.from === 2 && e.code === query.reason);
  const start = traps[query.nth].i;
  const end = events.findIndex((e, i) => i > start && e.kind === 'entry' && e.to === 2);
  return events.slice(start, end + 1);
}

function describe(e: TransitionEvent): string {
  const reason = EXIT_REASON_NAMES[e.code] ?? String(e.code);
  if (e.kind === 'exit') return `L${e.from} traps to L${e.to}: \`${reason}\``;
  if (e.kind === 'forward') return `L0 forwards the L${e.from} exit to L${e.to}: \`${reason}\``;
  return `L${e.from} enters L${e.to}`;
}

/** The steps of one trap as a table, with the hardware thread of each. */
export function trapSteps(query: TrapQuery): string {
  const events = oneTrap(query);
  const first = events[0];
  const out = [
    '| step | cycle | thread | event | cycles since the previous step | instructions since, on that thread |',
    '|---|---|---|---|---|---|',
  ];
  events.forEach((e, i) => {
    const previous = events[i - 1] ?? e;
    const sameThread = previous.thread === e.thread;
    out.push(
      `| ${i + 1} | +${e.cycle - first.cycle} | t${e.thread} | ${describe(e)} | ${e.cycle - previous.cycle} | ${sameThread ? e.instructions - previous.instructions : '-'} |`,
    );
  });
  const last = events[events.length - 1];
  const traps = events.filter((e) => e.kind === 'exit').length;
  out.push('');
  out.push(
    `${traps} hardware exits, ${events.length} steps, ${last.cycle - first.cycle} cycles from the trap until L2 runs again.`,
  );
  return out.join('\n');
}
