// The region compiler against the interpreter on whole runs: a bundled
// program or workload at a depth, in a mode, with or without VMCS
// shadowing, must give the same `run --json` report, byte for byte, with
// the compiler compiling as soon as it samples (always) and off.
// `npm run check:jit` runs every case; test/jit-reports.test.ts a subset.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_INSTRUCTIONS } from '../src/cli/run.ts';
import type { JitMode } from '../src/jit/jit.ts';
import type { Mode } from '../src/machine/bootinfo.ts';
import { runReport } from '../src/machine/run-report.ts';
import { assembleGuest, buildMachine, IMPLEMENTED_MODES, MAX_DEPTH } from '../src/machine/scenario.ts';
import { WORKLOADS } from '../src/machine/workloads.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

export interface ReportCase {
  /** guests/examples/<name>.s or guests/workloads/<name>.s */
  readonly path: string;
  readonly depth: number;
  readonly mode: Mode;
  readonly shadowing: boolean;
}

/** Workloads run this many iterations (their table's defaults are for measuring). */
export const CHECK_ITERATIONS = 3;

/** The bundled examples and the workload table's programs. */
export function bundledPrograms(): string[] {
  const examples = join(PROJECT_ROOT, 'guests/examples');
  return [
    ...readdirSync(examples)
      .filter((name) => name.endsWith('.s'))
      .sort()
      .map((name) => join(examples, name)),
    ...WORKLOADS.map((spec) => join(PROJECT_ROOT, 'guests/workloads', `${spec.name}.s`)),
  ];
}

/** Every configuration `run` accepts: depth 0 bare; at depth 1 each mode; at
 * depth 2 each mode with shadowing off and on. */
export function configurations(): Omit<ReportCase, 'path'>[] {
  const all: Omit<ReportCase, 'path'>[] = [{ depth: 0, mode: 'baseline', shadowing: false }];
  for (let depth = 1; depth <= MAX_DEPTH; depth++) {
    for (const mode of IMPLEMENTED_MODES) {
      for (const shadowing of depth === 2 ? [false, true] : [false]) all.push({ depth, mode, shadowing });
    }
  }
  return all;
}

export function allCases(): ReportCase[] {
  return bundledPrograms().flatMap((path) => configurations().map((config) => ({ path, ...config })));
}

export function caseName(c: ReportCase): string {
  const name = c.path.slice(c.path.lastIndexOf('/') + 1);
  return `${name} --depth ${c.depth}${c.depth > 0 ? ` --mode ${c.mode}` : ''}${c.depth === 2 ? ` --shadow ${c.shadowing ? 'on' : 'off'}` : ''}`;
}

/** The JSON report of the case's run (as `run --json` prints it), and the
 * instructions the compiler executed in it. */
export function reportJson(c: ReportCase, jit: JitMode): { json: string; compiled: number } {
  const machine = buildMachine({
    workload: assembleGuest(c.path),
    depth: c.depth,
    mode: c.mode,
    shadowing: c.shadowing,
    iterations: CHECK_ITERATIONS,
    jit,
  });
  const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
  return { json: JSON.stringify(runReport(machine, result), null, 2), compiled: machine.jit?.executed ?? 0 };
}
