// smtnest demo: runs every bundled program bare and under the hypervisors,
// and prints what each did: status, instructions, cycles, VM exits, and
// whether the console output matches the bare run.

import type { Mode } from '../machine/bootinfo.ts';
import { bundledProgramPath, bundledPrograms } from './load.ts';
import { parse } from './args.ts';
import { runJobs } from './pool.ts';
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

export async function demoCommand(args: string[]): Promise<number> {
  parse('demo', args);
  const programs = bundledPrograms();
  const jobs = programs.flatMap((name) => RUNS.map(({ depth, mode, shadowing }) => ({ target: bundledProgramPath(name)!, depth, mode, shadowing })));
  const outcomes = await runJobs(jobs);
  const rows: string[][] = [['program', 'depth', 'mode', 'shadowing', 'status', 'instructions', 'cycles', 'exits', 'console']];
  let failures = 0;
  programs.forEach((name, p) => {
    const bare = outcomes[p * RUNS.length].console;
    RUNS.forEach(({ depth, mode, shadowing }, r) => {
      const outcome = outcomes[p * RUNS.length + r];
      const ok = outcome.status === 'exited' && outcome.exitCode === 0;
      const same = outcome.console === bare;
      if (!ok || !same) failures++;
      const firstLine = outcome.console.split('\n')[0];
      rows.push([
        depth === 0 ? name : '',
        String(depth),
        mode,
        depth === 2 ? (shadowing ? 'on' : 'off') : '',
        outcome.status === 'exited' ? `exit ${outcome.exitCode}` : outcome.status,
        // All threads' instructions; the run lasted as long as its furthest clock.
        String(outcome.instructions),
        String(outcome.cycles),
        // Hardware exits: those that reached L0.
        String(outcome.exits.reduce((n, row) => n + (row.to === 'L0' ? row.count : 0), 0)),
        depth === 0 ? (firstLine.length > 32 ? firstLine.slice(0, 29) + '...' : firstLine) : same ? '(same as bare)' : '(DIFFERS)',
      ]);
    });
  });
  console.log('smtnest: the bundled programs bare (depth 0), under L0 (depth 1) and under L1 under L0 (depth 2)\n');
  console.log(formatTable(rows, new Set([1, 5, 6, 7])));
  console.log('\nexits: VM exits to L0 (hardware exits). Try: npx smtnest run cpuid --depth 2 --json');
  return failures === 0 ? 0 : 1;
}
