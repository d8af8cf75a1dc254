// The life of one L2 CPUID at depth 2, step by step, as a run measures it:
// generated into docs/nesting.md from the transition events of a run of the
// cpuid workload, so that every number in that account is a measurement.

import { join } from 'node:path';
import { assembleGuest, buildMachine } from '../machine/scenario.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { EXIT, EXIT_REASON_NAMES } from '../vmx/exit-reasons.ts';
import type { TransitionEvent } from '../vmx/exit-stats.ts';

/** The account follows the second CPUID: the first one's path includes one-time work. */
const ITERATIONS = 3;
const FOLLOWED = 1;

/** The transitions from the trap of one L2 CPUID until L2 runs again. */
export function oneNestedCpuid(shadowing: boolean): TransitionEvent[] {
  const workload = assembleGuest(join(PROJECT_ROOT, 'guests/workloads/cpuid.s'));
  const machine = buildMachine({ workload, depth: 2, shadowing, iterations: ITERATIONS });
  const events: TransitionEvent[] = [];
  machine.exits.listener = (event) => events.push(event);
  const result = machine.run({ maxInstructions: 100_000_000 });
  if (result.status !== 'exited' || result.exitCode !== 0) throw new Error(`cpuid at depth 2: ${result.reason}`);
  const traps = events
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.kind === 'exit' && e.from === 2 && e.code === EXIT.CPUID);
  const start = traps[FOLLOWED].i;
  const end = events.findIndex((e, i) => i > start && e.kind === 'entry' && e.to === 2);
  return events.slice(start, end + 1);
}

function describe(e: TransitionEvent): string {
  const reason = EXIT_REASON_NAMES[e.code] ?? String(e.code);
  if (e.kind === 'exit') return `L${e.from} traps to L${e.to}: \`${reason}\``;
  if (e.kind === 'forward') return `L0 forwards the L${e.from} exit to L${e.to}: \`${reason}\``;
  return `L${e.from} enters L${e.to}`;
}

export function nestedCpuidSteps(shadowing: boolean): string {
  const events = oneNestedCpuid(shadowing);
  const first = events[0];
  const out = [
    '| step | cycle | event | cycles since the previous step | instructions since |',
    '|---|---|---|---|---|',
  ];
  events.forEach((e, i) => {
    const previous = events[i - 1] ?? e;
    out.push(
      `| ${i + 1} | +${e.cycle - first.cycle} | ${describe(e)} | ${e.cycle - previous.cycle} | ${e.instructions - previous.instructions} |`,
    );
  });
  const last = events[events.length - 1];
  const traps = events.filter((e) => e.kind === 'exit').length;
  out.push('');
  out.push(
    `One L2 CPUID: ${traps} hardware exits, ${events.length} steps, ${last.cycle - first.cycle} cycles from the trap until L2 runs again.`,
  );
  return out.join('\n');
}
