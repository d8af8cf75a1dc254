// The hypervisor images in hw mode (docs/modes.md): L0 runs its guest on
// thread 1 with the thread extension, and at depth 2 runs L2 on thread 2
// while granting L1 L2's registers. What is checked (test/modes.test.ts has
// every example and workload printing and ending the same as in
// baseline): the cpuid workload takes one trap per CPUID (L1 -> L0 at
// depth 1, L2 -> L0 and L2 -> L1 at depth 2) and each round trip costs
// fewer cycles than in baseline; the guest executes what it executes in
// baseline, plus the two instructions of the trampoline that hands it ebx
// (guests/l0/hw.inc says why); no rdtreg/wrtreg of L1 traps; without the extension, hw mode stops
// with L0's report.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageCache } from '../src/machine/image-cache.ts';
import { Machine } from '../src/machine/machine.ts';
import { hypervisorsFor, INCLUDE_DIR } from '../src/machine/scenario.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { bundledGuests, runMode as run, STATUS, TRAMPOLINE } from './reference/hypervisors.ts';

const EXAMPLES = join(PROJECT_ROOT, 'guests/examples');
const BUDGET = 50_000_000;

const programs = bundledGuests();

const row = (machine: Machine, from: string, to: string, reason: string) =>
  machine.stats().exits.find((r) => r.from === from && r.to === to && r.reason === reason);

describe('hw mode: a CPUID round trip', () => {
  const cpuid = programs.find(([name]) => name === 'cpuid.s')![1];
  const N = 50;

  it('at depth 1: N traps L1 -> L0, each far cheaper than a world switch pair', () => {
    const base = run(cpuid, 1, 'baseline', false, N);
    const hw = run(cpuid, 1, 'hw', false, N);
    const b = row(base.machine, 'L1', 'L0', 'CPUID')!;
    const h = row(hw.machine, 'L1', 'L0', 'CPUID')!;
    expect(b.count).toBe(N);
    expect(h.count).toBe(N);
    const perBase = b.cycles / b.count;
    const perHw = h.cycles / h.count;
    console.log(`depth 1 CPUID round trip: baseline ${perBase} cycles, hw ${perHw} cycles`);
    expect(perHw).toBeLessThan(perBase);
    const costs = hw.machine.costs;
    expect(perHw).toBeGreaterThan(2 * costs.threadSwitch);
    expect(perHw).toBeLessThan(costs.vmExit + costs.vmEntry);
    expect(hw.guestInstructions).toBe(base.guestInstructions + TRAMPOLINE);
    // The guest ran on thread 1, L0 on thread 0.
    expect(hw.machine.threads[1].levelInstructions[1]).toBe(hw.guestInstructions);
  });

  for (const shadowing of [false, true]) {
    it(`at depth 2, shadowing ${shadowing ? 'on' : 'off'}: N traps L2 -> L0, N forwarded to L1, cheaper than baseline`, () => {
      const base = run(cpuid, 2, 'baseline', shadowing, N);
      const hw = run(cpuid, 2, 'hw', shadowing, N);
      for (const outcome of [base, hw]) {
        expect(row(outcome.machine, 'L2', 'L0', 'CPUID')!.count).toBe(N);
        expect(row(outcome.machine, 'L2', 'L1', 'CPUID')!.count).toBe(N);
      }
      const b = row(base.machine, 'L2', 'L0', 'CPUID')!;
      const h = row(hw.machine, 'L2', 'L0', 'CPUID')!;
      const perBase = b.cycles / b.count;
      const perHw = h.cycles / h.count;
      console.log(`depth 2 (shadowing ${shadowing ? 'on' : 'off'}) CPUID round trip: baseline ${perBase} cycles, hw ${perHw} cycles`);
      expect(perHw).toBeLessThan(perBase);
      expect(hw.guestInstructions).toBe(base.guestInstructions + TRAMPOLINE);
      // L0 on thread 0, L1 on thread 1, L2 on thread 2.
      const [t0, t1, t2] = hw.machine.threads;
      expect(t2.levelInstructions[2]).toBe(hw.guestInstructions);
      expect(t1.levelInstructions[1]).toBeGreaterThan(0);
      expect(t0.levelInstructions[1] + t0.levelInstructions[2]).toBe(0);
    });
  }
});

describe('hw mode without the thread extension', () => {
  it('L0 reports and stops with HV_STATUS_NO_VMX', () => {
    const [l0] = hypervisorsFor(1);
    const workload = imageCache.assemble(join(EXAMPLES, 'hello.s'), { includePaths: [INCLUDE_DIR] });
    const machine = new Machine({ ramSize: 32 << 20, threads: 2, threadExtension: false });
    machine.loadProgram(l0, [workload], { depth: 1, mode: 'hw' });
    const result = machine.run({ maxInstructions: BUDGET });
    expect(result.exitCode).toBe(STATUS.NO_VMX);
    expect(machine.serial.text()).toMatch(/^L0: hw mode, but this CPU has no thread extension/);
  });
});
