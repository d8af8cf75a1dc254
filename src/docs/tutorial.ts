// The tutorial's program (docs/writing-guests.md) and the trap table of its
// run at each depth, generated into the tutorial so that the numbers a
// reader sees are what this emulator measures.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleSource } from '../asm/index.ts';
import { PROJECT_ROOT } from '../paths.ts';
import type { Machine } from '../machine/machine.ts';
import { buildMachine, INCLUDE_DIR } from '../machine/scenario.ts';

export const TUTORIAL_PATH = 'docs/writing-guests.md';
export const TUTORIAL_ROUNDS = 100;
/** The runs the table shows: depth and VMCS shadowing. */
export const TUTORIAL_RUNS: readonly { depth: number; shadowing: boolean }[] = [
  { depth: 0, shadowing: false },
  { depth: 1, shadowing: false },
  { depth: 2, shadowing: false },
  { depth: 2, shadowing: true },
];

/** The program between the tutorial markers. */
export function tutorialSource(): string {
  const text = readFileSync(join(PROJECT_ROOT, TUTORIAL_PATH), 'utf8');
  const match = /<!-- tutorial:begin -->\s*```nasm\n([\s\S]*?)```\s*<!-- tutorial:end -->/.exec(text);
  if (!match) throw new Error(`${TUTORIAL_PATH}: the tutorial program's markers are missing`);
  return match[1];
}

export function runTutorial(depth: number, shadowing: boolean): Machine {
  const workload = assembleSource(tutorialSource(), 'ping.s', { includePaths: [INCLUDE_DIR] });
  const machine = buildMachine({ workload, depth, shadowing, iterations: TUTORIAL_ROUNDS });
  const result = machine.run({ maxInstructions: 200_000_000 });
  if (result.status !== 'exited' || result.exitCode !== 0) {
    throw new Error(`the tutorial program at depth ${depth}: ${result.reason}`);
  }
  return machine;
}

export function tutorialExitTable(): string {
  const out = ['| depth | shadowing | from | to | reason | count | cycles per exit |', '|---|---|---|---|---|---|---|'];
  for (const { depth, shadowing } of TUTORIAL_RUNS) {
    const machine = runTutorial(depth, shadowing);
    const rows = machine.exits.list();
    if (rows.length === 0) out.push(`| ${depth} | ${shadowing ? 'on' : 'off'} | - | - | (no exits: ${machine.cpu.cycles} cycles in all) | | |`);
    for (const row of rows) {
      out.push(
        `| ${depth} | ${shadowing ? 'on' : 'off'} | ${row.from} | ${row.to} | \`${row.reason}\` | ${row.count} | ${Math.round(row.cycles / row.count)} |`,
      );
    }
  }
  return out.join('\n');
}
