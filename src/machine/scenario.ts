// A scenario: a workload run at a depth, in a mode, with or without VMCS
// shadowing, under the bundled hypervisor images. The one place that knows
// how such a machine is put together; the CLI, the docs generators and the
// benchmarks build theirs here.

import { join } from 'node:path';
import type { Program } from '../asm/index.ts';
import { PROJECT_ROOT } from '../paths.ts';
import type { Mode } from './bootinfo.ts';
import type { CostModel } from '../timing/cost-model.ts';
import type { JitMode } from '../jit/jit.ts';
import { imageCache } from './image-cache.ts';
import { DEFAULT_RAM_SIZE, Machine } from './machine.ts';
import { workloadDevices } from './workloads.ts';

export const INCLUDE_DIR = join(PROJECT_ROOT, 'guests/include');
/** The hypervisor images, outermost first: L0, then L1. */
export const HYPERVISOR_PATHS = [join(PROJECT_ROOT, 'guests/l0/l0.s'), join(PROJECT_ROOT, 'guests/l1/l1.s')];
export const MAX_DEPTH = HYPERVISOR_PATHS.length;
/** The modes the hypervisor images implement (docs/modes.md). */
export const IMPLEMENTED_MODES: readonly Mode[] = ['baseline', 'sw', 'hw'];
/** RAM of a run the hypervisors share with the workload (a bare run has the machine's default). */
export const NESTED_RAM_SIZE = 32 * 1024 * 1024;

export interface Scenario {
  workload: Program;
  depth: number;
  mode?: Mode;
  shadowing?: boolean;
  iterations?: number;
  costs?: CostModel;
  ramSize?: number;
  consoleSink?: (byte: number) => void;
  /** The region compiler's mode (default: SMTNEST_JIT, else auto). */
  jit?: JitMode;
}

/** A guest image from its source, with the guests' include directory on
 * the search path; assembled once per content of its sources (image-cache.ts). */
export function assembleGuest(path: string): Program {
  return imageCache.assemble(path, { includePaths: [INCLUDE_DIR] });
}

/** The hypervisors that run a workload at `depth`: L0 at depth 1, L0 and L1 at depth 2. */
export function hypervisorsFor(depth: number): Program[] {
  return HYPERVISOR_PATHS.slice(0, depth).map(assembleGuest);
}

/** The machine of a scenario, loaded and ready to run. One hardware thread
 * per level, so that every mode runs on the same core (baseline leaves the
 * others idle); the hw mode's thread extension only in hw mode. A bundled
 * workload gets the peer and disk its table entry names (workloads.ts). */
export function buildMachine(scenario: Scenario, hypervisors: readonly Program[] = hypervisorsFor(scenario.depth)): Machine {
  const { depth } = scenario;
  const mode = scenario.mode ?? 'baseline';
  const machine = new Machine({
    ramSize: scenario.ramSize ?? (depth > 0 ? NESTED_RAM_SIZE : DEFAULT_RAM_SIZE),
    threads: depth + 1,
    threadExtension: mode === 'hw',
    costs: scenario.costs,
    consoleSink: scenario.consoleSink,
    jit: scenario.jit,
    ...workloadDevices(scenario.workload),
  });
  const stack = [...hypervisors.slice(0, depth), scenario.workload];
  machine.loadProgram(stack[0], stack.slice(1), {
    depth,
    mode,
    shadowing: scenario.shadowing ?? false,
    iterations: scenario.iterations ?? 0,
  });
  return machine;
}
