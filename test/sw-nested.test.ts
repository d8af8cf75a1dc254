// The hypervisor images in sw mode (docs/modes.md): the paper's software
// prototype on stock SMT hardware, no thread extension. L0 boots on
// thread 0, which becomes its I/O thread; L1 runs on thread 1 and never
// leaves non-root operation once it has launched its guest; L2 runs on
// thread 2 (guests/l0/sw.inc, guests/l1/sw.inc). An exit of L2 that L1
// wants goes through the exit channel: L0 on thread 2 writes the record
// and parks in mwait, L1 wakes in non-root operation, handles it and
// answers, L0 applies the answer and resumes L2. At depth 1 there is no
// second hypervisor: thread 1 runs the guest and L0's exit handling. What
// is checked (test/modes.test.ts has every example and workload printing
// and ending the same as in baseline): the cpuid workload takes N L2 -> L0
// and N L2 -> L1 CPUID exits; one L2 CPUID round trip is one hardware exit and one entry,
// both on thread 2, with no transition on L1's thread; and that thread 0,
// L0's I/O thread, takes every device interrupt, so that no handover
// writes a device's target port, and kicks the guest's thread with an IPI.
// The channel's own cases (a wake-up before the mwait, a spurious one,
// interrupts while L1 handles or waits, a malformed answer) are
// test/sw-channel.test.ts's.

import { describe, expect, it } from 'vitest';
import type { Program } from '../src/asm/index.ts';
import type { Machine } from '../src/machine/machine.ts';
import { PORTS } from '../src/devices/ports.ts';
import { assembleSource } from '../src/asm/index.ts';
import { buildMachine, INCLUDE_DIR } from '../src/machine/scenario.ts';
import type { TransitionEvent } from '../src/cpu/vmx/exit-stats.ts';
import { bundledGuests } from './reference/hypervisors.ts';

const BUDGET = 50_000_000;
type Mode = 'baseline' | 'sw' | 'hw';

const programs = bundledGuests();

interface Outcome {
  machine: Machine;
  status: string;
  exitCode: number;
  console: string;
  events: TransitionEvent[];
}

function run(workload: Program, depth: number, mode: Mode, shadowing = false, iterations = 0): Outcome {
  const machine = buildMachine({ workload, depth, mode, shadowing, iterations });
  const events: TransitionEvent[] = [];
  machine.exits.listener = (e) => events.push(e);
  const result = machine.run({ maxInstructions: BUDGET });
  for (const thread of machine.threads) thread.switchLevel(thread.currentLevel); // charge what ran since the last switch
  return { machine, status: result.status, exitCode: result.exitCode, console: machine.serial.text(), events };
}

const row = (machine: Machine, from: string, to: string, reason: string) =>
  machine.stats().exits.find((r) => r.from === from && r.to === to && r.reason === reason);

const CPUID = 10;

/** The transitions of the second L2 CPUID, from its trap until L2 is entered again. */
function roundTrip(events: TransitionEvent[]): TransitionEvent[] {
  const traps = events.flatMap((e, i) => (e.kind === 'exit' && e.from === 2 && e.code === CPUID ? [i] : []));
  const start = traps[1];
  const end = events.findIndex((e, i) => i > start && e.kind === 'entry' && e.to === 2);
  return events.slice(start, end + 1);
}

/** Hardware exits and entries of a round trip, per thread: "t1 exit" -> count. */
function perThread(steps: TransitionEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of steps) {
    if (e.kind === 'forward') continue;
    const key = `t${e.thread} ${e.kind}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('sw mode: a CPUID round trip', () => {
  const cpuid = programs.find(([name]) => name === 'cpuid.s')![1];
  const N = 20;

  it('at depth 1: N traps L1 -> L0, handled on thread 1, as in baseline', () => {
    const base = run(cpuid, 1, 'baseline', false, N);
    const sw = run(cpuid, 1, 'sw', false, N);
    const b = row(base.machine, 'L1', 'L0', 'CPUID')!;
    const s = row(sw.machine, 'L1', 'L0', 'CPUID')!;
    expect(s.count).toBe(N);
    // The same path on another thread, nothing else running: the same cycles.
    expect(s.cycles / s.count).toBe(b.cycles / b.count);
    expect(sw.events.filter((e) => e.kind !== 'forward').every((e) => e.thread === 1)).toBe(true);
  });

  for (const shadowing of [false, true]) {
    it(`at depth 2, shadowing ${shadowing ? 'on' : 'off'}: N traps L2 -> L0 and N forwarded to L1; exits and entries per thread`, () => {
      const out = Object.fromEntries(
        (['baseline', 'sw', 'hw'] as const).map((mode) => [mode, run(cpuid, 2, mode, shadowing, N)]),
      ) as Record<Mode, Outcome>;
      const perTrip: Record<string, number> = {};
      for (const [mode, outcome] of Object.entries(out)) {
        expect(row(outcome.machine, 'L2', 'L0', 'CPUID')!.count).toBe(N);
        expect(row(outcome.machine, 'L2', 'L1', 'CPUID')!.count).toBe(N);
        const r = row(outcome.machine, 'L2', 'L0', 'CPUID')!;
        perTrip[mode] = r.cycles / r.count;
      }
      console.log(
        `depth 2 (shadowing ${shadowing ? 'on' : 'off'}) L2 CPUID round trip: ` +
          `baseline ${perTrip.baseline}, sw ${perTrip.sw}, hw ${perTrip.hw} cycles`,
      );

      // Baseline: L2's exit, then each trapping VMX instruction of L1 and
      // its entry back, all world switches on thread 0.
      const l1Traps = shadowing ? 1 : 8; // 6 vmread + 1 vmwrite + vmresume; only vmresume with shadowing
      const base = roundTrip(out.baseline.events);
      expect(perThread(base)).toEqual({ 't0 exit': l1Traps + 1, 't0 entry': l1Traps + 1 });
      // sw: one hardware exit and one entry, both on L2's thread; L1 handles
      // the exit in non-root operation on thread 1, with no transition.
      const steps = roundTrip(out.sw.events);
      expect(perThread(steps)).toEqual({ 't2 exit': 1, 't2 entry': 1 });
      expect(steps[0]).toMatchObject({ kind: 'exit', thread: 2, from: 2, to: 0 });
      expect(steps[1]).toMatchObject({ kind: 'forward', thread: 2, from: 2, to: 1 });
      expect(steps.at(-1)).toMatchObject({ kind: 'entry', thread: 2, from: 0, to: 2 });
      // What goes is every world switch but L2's; what comes is two mwait
      // wake-ups. With shadowing off that is seven world switches less.
      expect(perTrip.sw).toBeLessThan(perTrip.baseline);
      expect(perTrip.sw).toBeGreaterThan(2 * out.sw.machine.costs.mwaitWakeLatency);
      expect(perTrip.hw).toBeLessThan(perTrip.baseline);
    });
  }
});

describe('sw mode: thread 0 is L0\'s I/O thread', () => {
  const ioRr = programs.find(([name]) => name === 'io-rr.s')![1];
  const TARGETS: number[] = [PORTS.TIMER_TARGET.port, PORTS.NIC_IRQ_TARGET.port, PORTS.BLOCK_TARGET.port];
  const WRMSR = 0x11;

  for (const depth of [1, 2]) {
    it(`io-rr at depth ${depth}: no target-port writes; device interrupts on thread 0, IPIs to the guest's thread`, () => {
      const machine = buildMachine({ workload: ioRr, depth, mode: 'sw', iterations: 20 });
      const targetWrites: number[] = [];
      const write = machine.bus.write.bind(machine.bus);
      machine.bus.write = (port, value, now, thread) => {
        if (TARGETS.includes(port)) targetWrites.push(port);
        write(port, value, now, thread);
      };
      const result = machine.run({ maxInstructions: BUDGET });
      expect(result.status).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(targetWrites).toEqual([]);
      const [io, ...vcpu] = machine.threads;
      // L0's own NIC vector reaches thread 0 through its table, every packet.
      expect(io.vectorCounts[0xf1]).toBeGreaterThanOrEqual(20);
      // Thread 0 kicks the guest's thread; the L0 threads that run guests
      // send no IPI. (At depth 2 a vCPU thread does take vector 0xf1: L1's
      // own virtual NIC's, injected by L0 while L1 waits in hlt for its
      // guest.)
      expect(io.opcodeCounts[WRMSR]).toBeGreaterThanOrEqual(20);
      for (const thread of vcpu) {
        if (depth === 1) expect(thread.vectorCounts[0xf1]).toBe(0);
        expect(thread.levelOpcodeCounts[WRMSR]).toBe(0);
      }
    });
  }

  // The I/O thread waits with interrupts on, but a guest that halts with
  // interrupts off still ends the run as on the bare machine.
  const haltForGood = assembleSource(
    `%include "ports.inc"
_start:
    mov eax, 50000
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_MODE_PERIODIC
    out PORT_TIMER_CONTROL, eax
    cli
    hlt
`,
    'halt-for-good.s',
    { includePaths: [INCLUDE_DIR] },
  );
  for (const depth of [0, 1, 2]) {
    it(`a guest halting with interrupts off, the timer ticking, ends the run halted at depth ${depth}`, () => {
      const machine = buildMachine({ workload: haltForGood, depth, mode: 'sw' });
      const result = machine.run({ maxInstructions: BUDGET, maxCycles: 100_000_000 });
      expect(result.status).toBe('halted');
    });
  }
});
