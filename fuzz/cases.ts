// The cases of the fuzz campaign (fuzz/fuzz.ts): each is made from its
// kind, seed and index alone, so that a failure is reproduced by running
// that case again (`npm run fuzz -- --replay KIND:SEED:INDEX`).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleSource, AssemblyError, type Program } from '../src/asm/index.ts';
import type { Mode } from '../src/machine/bootinfo.ts';
import type { RunStatus } from '../src/machine/machine.ts';
import { buildMachine, hypervisorsFor, IMPLEMENTED_MODES, INCLUDE_DIR } from '../src/machine/scenario.ts';
import { counterDiscrepancies } from '../src/machine/stats.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { applyOverrides, COST_PARAMETERS, costRange, defaultCosts, type CostModel } from '../src/timing/cost-model.ts';
import { INSTRUCTIONS } from '../src/isa/table.ts';

export type CaseKind = 'image' | 'source' | 'cost';

export interface CaseResult {
  /** What the case was: its scenario, for the report and a reproducer. */
  what: string;
  /** The run's status, 'rejected' for an input refused with one clear line, or 'assembled'. */
  outcome: RunStatus | 'rejected' | 'assembled';
  instructions: number;
  /** Why the case failed; null if it did not. */
  failure: string | null;
}

/** mulberry32: a small deterministic generator, seeded per case. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const caseSeed = (seed: number, index: number) => (Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;

/** The outcomes a run may end in (docs/machine.md, "Ending a run"). */
const DOCUMENTED: readonly RunStatus[] = ['exited', 'halted', 'triple-fault', 'budget'];
/** Instructions per run: past the boot of two hypervisors in 4 MiB (about 240,000). */
const BUDGET = 1_000_000;
const RAM = 4 << 20;

let hypervisors: Program[] | null = null;

function runChecked(workload: Program, depth: number, mode: Mode, costs?: CostModel): Omit<CaseResult, 'what'> {
  hypervisors ??= hypervisorsFor(2);
  const machine = buildMachine({ workload, depth, mode, costs, ramSize: depth > 0 ? RAM : 1 << 20 }, hypervisors);
  const result = machine.run({ maxInstructions: BUDGET });
  const stats = machine.stats();
  const wrong = counterDiscrepancies(stats);
  let failure: string | null = null;
  if (!DOCUMENTED.includes(result.status)) failure = `status ${result.status}: ${result.reason}`;
  else if (wrong.length) failure = `counters: ${wrong.join('; ')}`;
  else if (!Number.isSafeInteger(stats.cycles)) failure = `cycles ${stats.cycles}`;
  else if (machine.core.instructions > BUDGET + 64) failure = `ran ${machine.core.instructions} instructions past a budget of ${BUDGET}`;
  return { outcome: result.status, instructions: machine.core.instructions, failure };
}

/** Random 4-byte words, most with a defined opcode in the low byte, as the
 * workload at a random depth and mode. */
function imageCase(next: () => number): CaseResult {
  const opcodes = INSTRUCTIONS.map((form) => form.opcode);
  const words = 16 + Math.floor(next() * 1024);
  const bytes = new Uint8Array(words * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words; i++) {
    let word = Math.floor(next() * 2 ** 32) >>> 0;
    if (next() < 0.85) word = ((word & ~0xff) | opcodes[Math.floor(next() * opcodes.length)]) >>> 0;
    view.setUint32(i * 4, word, true);
  }
  const depth = Math.floor(next() * 3);
  const mode = IMPLEMENTED_MODES[Math.floor(next() * IMPLEMENTED_MODES.length)];
  const workload: Program = { bytes, origin: 0, entry: 0, symbols: [], lines: [] };
  return { what: `${words}-word image at depth ${depth}, ${mode}`, ...runChecked(workload, depth, mode) };
}

const SOURCES = ['examples', 'workloads'].flatMap((dir) =>
  readdirSync(join(PROJECT_ROOT, 'guests', dir))
    .filter((f) => f.endsWith('.s'))
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(PROJECT_ROOT, 'guests', dir, f), 'utf8') })),
);

const NOISE = ['%macro m 1', '%endmacro', '%include "nothing.inc"', 'times 100000000 db 0', 'org 0x7fffffff', '[eax*9]', '))((', '0x', 'db "unterminated', '%define x x x', '$', 'mov eax,', '.local:', 'x equ x', 'align 0', 'incbin "/dev/zero"', '%1', '\u00ff', '1/0'];

/** A bundled source with lines deleted, duplicated, swapped, cut or given
 * noise; assembled (an error must be one AssemblyError), then run bare. */
function sourceCase(next: () => number): CaseResult {
  const source = SOURCES[Math.floor(next() * SOURCES.length)];
  const lines = source.text.split('\n');
  const mutations = 1 + Math.floor(next() * 6);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(next() * lines.length);
    const choice = Math.floor(next() * 6);
    if (choice === 0) lines.splice(at, 1);
    else if (choice === 1) lines.splice(at, 0, lines[Math.floor(next() * lines.length)] ?? '');
    else if (choice === 2) lines[at] = (lines[at] ?? '').slice(0, Math.floor(next() * (lines[at]?.length ?? 0)));
    else if (choice === 3) lines.splice(at, 0, NOISE[Math.floor(next() * NOISE.length)]);
    else if (choice === 4) lines[at] = (lines[at] ?? '').replace(/\d+/, String(Math.floor(next() * 2 ** 32)));
    else {
      const other = Math.floor(next() * lines.length);
      [lines[at], lines[other]] = [lines[other], lines[at]];
    }
  }
  const what = `${source.name} with ${mutations} mutations`;
  let program: Program;
  try {
    program = assembleSource(lines.join('\n'), source.name, { includePaths: [INCLUDE_DIR] });
  } catch (error) {
    if (error instanceof AssemblyError && /^[^\n:]+:\d+:\d+: /.test(error.message)) {
      return { what, outcome: 'rejected', instructions: 0, failure: null };
    }
    return { what, outcome: 'rejected', instructions: 0, failure: `assembler threw ${(error as Error).stack ?? error}` };
  }
  return { what, ...runChecked(program, 0, 'baseline') };
}

let cpuid: Program | null = null;

const COST_VALUES = [0, 1, 10, 200, 1e7, 1e7 + 1, -1, 1.5, 1e308, NaN, '5', null, true, 2 ** 53];

/** A --cost object of random names and values: refused with one line, or a
 * cpuid workload run at depth 1 or 2 in a random mode with it. */
function costCase(next: () => number): CaseResult {
  const overrides: Record<string, unknown> = {};
  const entries = 1 + Math.floor(next() * 4);
  for (let i = 0; i < entries; i++) {
    const name = next() < 0.95 ? COST_PARAMETERS[Math.floor(next() * COST_PARAMETERS.length)].name : 'noSuchCost';
    const [min, max] = costRange(name);
    overrides[name] = next() < 0.85 ? min + Math.floor(next() * (Math.min(max, min + 50_000) - min + 1)) : COST_VALUES[Math.floor(next() * COST_VALUES.length)];
  }
  const what = `costs ${JSON.stringify(overrides)}`;
  let costs: CostModel;
  try {
    costs = applyOverrides(defaultCosts(), overrides, 'costs.json');
  } catch (error) {
    const message = (error as Error).message;
    return { what, outcome: 'rejected', instructions: 0, failure: message.includes('\n') ? `refused with ${message}` : null };
  }
  cpuid ??= assembleSource(readFileSync(join(PROJECT_ROOT, 'guests/workloads/cpuid.s'), 'utf8'), 'cpuid.s', { includePaths: [INCLUDE_DIR] });
  const depth = 1 + Math.floor(next() * 2);
  const mode = IMPLEMENTED_MODES[Math.floor(next() * IMPLEMENTED_MODES.length)];
  return { what: `${what}, cpuid at depth ${depth}, ${mode}`, ...runChecked(cpuid, depth, mode, costs) };
}

export function runCase(kind: CaseKind, seed: number, index: number): CaseResult {
  const next = random(caseSeed(seed, index));
  if (kind === 'image') return imageCase(next);
  if (kind === 'source') return sourceCase(next);
  return costCase(next);
}
