// `npm start`: runs every bundled program bare and under the hypervisors,
// and prints what each did: status, instructions, cycles, VM exits, and
// whether the console output matches the bare run.

import type { Program } from '../asm/index.ts';
import type { Mode } from '../machine/bootinfo.ts';
import { assembleGuest, buildMachine, hypervisorsFor } from '../machine/scenario.ts';
import { bundledProgramPath, bundledPrograms } from './load.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from './run.ts';
import { formatTable } from './table.ts';

/** Runs shown: bare metal, under L0, under L1 under L0 without and with VMCS
 * shadowing, and in the hw mode. */
const RUNS: readonly { depth: number; mode: Mode; shadowing: boolean }[] = [
  { depth: 0, mode: 'baseline', shadowing: false },
  { depth: 1, mode: 'baseline', shadowing: false },
  { depth: 2, mode: 'baseline', shadowing: false },
  { depth: 2, mode: 'baseline', shadowing: true },
  { depth: 2, mode: 'sw', shadowing: false },
  { depth: 2, mode: 'hw', shadowing: false },
];

interface Outcome {
  status: string;
  ok: boolean;
  instructions: number;
  cycles: number;
  exits: number;
  console: string;
}

function runAt(depth: number, mode: Mode, shadowing: boolean, workload: Program, hypervisors: Program[]): Outcome {
  const machine = buildMachine({ workload, depth, mode, shadowing }, hypervisors);
  const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
  return {
    status: result.status === 'exited' ? `exit ${result.exitCode}` : result.status,
    ok: result.status === 'exited' && result.exitCode === 0,
    // All threads' instructions; the run lasted as long as its furthest clock.
    instructions: machine.stats().instructions,
    cycles: machine.stats().cycles,
    exits: machine.exits.list().reduce((n, row) => n + (row.to === 'L0' ? row.count : 0), 0),
    console: machine.serial.text(),
  };
}

export function demoCommand(): number {
  const hypervisors = hypervisorsFor(Math.max(...RUNS.map((r) => r.depth)));
  const rows: string[][] = [['program', 'depth', 'mode', 'shadowing', 'status', 'instructions', 'cycles', 'exits', 'console']];
  let failures = 0;
  for (const name of bundledPrograms()) {
    const workload = assembleGuest(bundledProgramPath(name)!);
    let bare = '';
    for (const { depth, mode, shadowing } of RUNS) {
      const outcome = runAt(depth, mode, shadowing, workload, hypervisors);
      if (depth === 0) bare = outcome.console;
      const same = outcome.console === bare;
      if (!outcome.ok || !same) failures++;
      const firstLine = outcome.console.split('\n')[0];
      rows.push([
        depth === 0 ? name : '',
        String(depth),
        mode,
        depth === 2 ? (shadowing ? 'on' : 'off') : '',
        outcome.status,
        String(outcome.instructions),
        String(outcome.cycles),
        String(outcome.exits),
        depth === 0 ? (firstLine.length > 32 ? firstLine.slice(0, 29) + '...' : firstLine) : same ? '(same as bare)' : '(DIFFERS)',
      ]);
    }
  }
  console.log('smtnest: the bundled programs bare (depth 0), under L0 (depth 1) and under L1 under L0 (depth 2)\n');
  console.log(formatTable(rows, new Set([1, 5, 6, 7])));
  console.log('\nexits: VM exits to L0 (hardware exits). Try: npx smtnest run cpuid --depth 2 --json');
  return failures === 0 ? 0 : 1;
}
