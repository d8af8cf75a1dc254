// The sw and hw modes beside baseline (docs/modes.md): every example and
// workload prints the same and ends the same in each mode as in baseline, at
// depth 1 and at depth 2 with and without VMCS shadowing, each level on the
// thread its mode puts it on. The baseline run of a program and
// configuration is made once and read by the sw and the hw test.
// test/sw-nested.test.ts and test/hw-nested.test.ts check the rest of each
// mode.

import { describe, expect, it } from 'vitest';
import type { Program } from '../src/asm/index.ts';
import { bundledGuests, runMode, TIMING_DEPENDENT, TRAMPOLINE, type ModeOutcome } from './reference/hypervisors.ts';

const programs = bundledGuests();

const configurations: [number, boolean][] = [
  [1, false],
  [2, false],
  [2, true],
];

/** What the tests read of a baseline run: its ending, its console, where the workload ran. */
type Baseline = Omit<ModeOutcome, 'machine'> & { onThread0: number };
const baselines = new Map<string, Baseline>();

interface Case {
  name: string;
  program: Program;
  depth: number;
  shadowing: boolean;
  iterations: number;
}

function baseline({ name, program, depth, shadowing, iterations }: Case): Baseline {
  const key = `${name} ${depth} ${shadowing}`;
  let facts = baselines.get(key);
  if (!facts) {
    const { machine, ...rest } = runMode(program, depth, 'baseline', shadowing, iterations);
    facts = { ...rest, onThread0: machine.threads[0].levelInstructions[depth] };
    baselines.set(key, facts);
  }
  return facts;
}

/** Each configuration and program, with the iterations it runs (a few round trips for the CPUID and VMCALL loops). */
const cases: Case[] = configurations.flatMap(([depth, shadowing]) =>
  programs.map(([name, program]) => ({ name, program, depth, shadowing, iterations: name === 'cpuid.s' || name === 'vmcall.s' ? 20 : 0 })),
);

/** What each mode must show beyond baseline's ending and console. */
const CHECKS: Record<'sw' | 'hw', (outcome: ModeOutcome, base: Baseline, c: Case) => void> = {
  sw({ machine }, base, { name, depth }) {
    const threads = machine.threads;
    // Thread 0 only boots: no guest level runs there.
    for (let level = 1; level <= depth; level++) expect(threads[0].levelInstructions[level]).toBe(0);
    // Each guest level runs on its own thread: L1 (or the workload) on 1, L2 on 2.
    for (let level = 1; level <= depth; level++) {
      expect(threads[level].levelInstructions[level]).toBeGreaterThan(0);
      for (let t = 0; t < threads.length; t++) if (t !== level) expect(threads[t].levelInstructions[level]).toBe(0);
    }
    // Nothing is switched to the thread extension: sw mode runs on stock hardware.
    expect(machine.stats().exits.some((r) => r.reason === 'THREAD_REGISTER_ACCESS')).toBe(false);
    // The workload executes exactly what it executes in baseline.
    if (!TIMING_DEPENDENT.includes(name)) {
      // (Interrupt-driven programs excepted: their count depends on time.)
      expect(threads[depth].levelInstructions[depth]).toBe(base.onThread0);
    }
  },
  hw({ machine, guestInstructions }, base, { name, depth }) {
    // L1 reaches L2's registers without trapping: it was granted them.
    expect(machine.stats().exits.some((r) => r.reason === 'THREAD_REGISTER_ACCESS')).toBe(false);
    // Nothing of the workload runs on thread 0 in hw mode.
    expect(machine.threads[0].levelInstructions[depth]).toBe(0);
    if (!TIMING_DEPENDENT.includes(name)) {
      // Interrupt-driven programs excepted: their count depends on time.
      expect(guestInstructions).toBe(base.guestInstructions + TRAMPOLINE);
    }
  },
};

for (const mode of ['sw', 'hw'] as const) {
  describe(`${mode} mode: the same results as baseline`, () => {
    for (const c of cases) {
      it(`${c.name} at depth ${c.depth}${c.depth > 1 ? `, shadowing ${c.shadowing ? 'on' : 'off'}` : ''}`, () => {
        const base = baseline(c);
        const outcome = runMode(c.program, c.depth, mode, c.shadowing, c.iterations);
        expect(outcome.status).toBe(base.status);
        expect(outcome.exitCode).toBe(base.exitCode);
        expect(outcome.console).toBe(base.console);
        expect(outcome.console.length).toBeGreaterThan(0);
        CHECKS[mode](outcome, base, c);
      });
    }
  });
}
