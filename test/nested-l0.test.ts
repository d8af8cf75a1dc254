// Nested VMX in L0 (guests/l0/nested.inc): L0 emulates VMX for a guest that
// is a hypervisor (boot-info DEPTH 2), as KVM's nested VMX does. The L1 here
// is L0's own image: a hypervisor that runs one guest (at DEPTH 1 it behaves
// as at depth 1, and it uses every VMX instruction a hypervisor needs).
//
// What is checked: every example and workload runs at depth 2 as bare, with
// and without VMCS shadowing, executing the same L2 instructions, with the
// exits its instructions and interrupts cause reaching L1; the trap table of
// the cpuid workload adds up with what L1 executed (counted from the run, not
// constants): N CPUID exits of L2 to L0 and N forwarded to L1, and per L2
// exit as many VMREAD/VMWRITE/VMRESUME traps of L1 as L1 executed those
// instructions, without shadowing; with shadowing, no vmread or vmwrite of a
// shadowed field traps once the field is written; what L2 sees through L1
// (CPUID, #UD for VMX, hypercalls, interrupts, isolation); the VMfail
// semantics L1 sees (guests/l0/tests/nested-vmx.s); the VMX conformance
// suite (guests/tests/vmx/) run as L1 in baseline, sw and hw, which differs
// from the bare machine only where L0 chooses to (listed below, with why);
// and depth 3, where the middle L0 emulates VMX on VMX that the outer one
// emulates.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Program } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import type { Cpu } from '../src/cpu/cpu.ts';
import { BY_MNEMONIC } from '../src/isa/table.ts';
import type { Mode } from '../src/machine/bootinfo.ts';
import { Machine, type RunResult } from '../src/machine/machine.ts';
import type { MachineStats } from '../src/machine/stats.ts';
import { workloadDevices } from '../src/machine/workloads.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { VMCS_FIELDS } from '../src/cpu/vmx/fields.ts';
import { STATUS, symbol, TIMING_DEPENDENT } from './reference/hypervisors.ts';

const INCLUDE = [join(PROJECT_ROOT, 'guests/include')];
const SUITE = join(PROJECT_ROOT, 'guests/tests/vmx');
const RAM = 32 << 20;
const BUDGET = 30_000_000;

const assemble = (path: string, includePaths = INCLUDE, defines?: Record<string, number | string>): Program =>
  imageCache.assemble(join(PROJECT_ROOT, path), { includePaths, defines });
const l0 = assemble('guests/l0/l0.s');
const l0Test = (name: string, defines?: Record<string, number | string>): Program =>
  assemble(`guests/l0/tests/${name}.s`, INCLUDE, defines);


/** The stop statuses, from the table in hypervisor.inc. */

interface Run {
  result: RunResult;
  console: string;
  machine: Machine;
  stats: MachineStats;
}

interface Options {
  shadowing?: boolean;
  /** The mode (default baseline); sw and hw get a thread per level. */
  mode?: Mode;
  iterations?: number;
  ramSize?: number;
  onInstruction?: (cpu: Cpu, machine: Machine) => void;
}

function bare(workload: Program, options: Options = {}): Run {
  const machine = new Machine({ ramSize: 1 << 20, ...workloadDevices(workload) });
  machine.loadProgram(workload, [], { iterations: options.iterations });
  const result = machine.run({ maxInstructions: BUDGET });
  return { result, console: machine.serial.text(), machine, stats: machine.stats() };
}

/** L0 at depth 1 running `workload`: what L0's guest executes there. */
function depth1(workload: Program): Run {
  const machine = new Machine({ ramSize: 1 << 20, ...workloadDevices(workload) });
  machine.loadProgram(l0, [workload], { depth: 1 });
  const result = machine.run({ maxInstructions: BUDGET });
  return { result, console: machine.serial.text(), machine, stats: machine.stats() };
}

/** L0 at depth 2 running `l1` (by default L0's own image), which runs `workload`. */
function nested(workload: Program, options: Options = {}, l1: Program = l0): Run {
  const machine = new Machine({ ramSize: options.ramSize ?? RAM, ...modeHardware(options.mode), ...workloadDevices(workload) });
  machine.loadProgram(l0, [l1, workload], { depth: 2, shadowing: options.shadowing, iterations: options.iterations, mode: options.mode });
  const hook = options.onInstruction;
  const result = machine.run({ maxInstructions: BUDGET, onInstruction: hook && ((cpu) => hook(cpu, machine)) });
  return { result, console: machine.serial.text(), machine, stats: machine.stats() };
}

/** The hardware a mode runs on at depth 2: a thread per level, and the thread extension for hw. */
const modeHardware = (mode: Mode = 'baseline') => (mode === 'baseline' ? {} : { threads: 3, threadExtension: mode === 'hw' });

const row = (stats: MachineStats, from: string, to: string, reason: string) =>
  stats.exits.find((r) => r.from === from && r.to === to && r.reason === reason);
const count = (stats: MachineStats, from: string, to: string, reason: string) => row(stats, from, to, reason)?.count ?? 0;

/** Instructions of a mnemonic in an opcode table (all forms). */
const executed = (opcodes: Record<string, number>, mnemonic: string) =>
  Object.entries(opcodes)
    .filter(([form]) => form.split(' ')[0] === mnemonic)
    .reduce((n, [, c]) => n + c, 0);

/** External interrupts delivered (vectors 32 and up). */
function interruptsDelivered(machine: Machine): number {
  let n = 0;
  machine.cpu.vectorCounts.forEach((c, vector) => {
    if (vector >= 32) n += c;
  });
  return n;
}

const PROGRAMS = ['examples', 'workloads'].flatMap((dir) =>
  readdirSync(join(PROJECT_ROOT, 'guests', dir))
    .filter((f) => f.endsWith('.s'))
    .sort()
    .map((f) => `guests/${dir}/${f}`),
);

// ---- every program as L2 ---------------------------------------------------------

describe('L0 running L0 running each program: as bare', () => {
  for (const path of PROGRAMS) {
    const name = path.split('/').pop()!;
    it(`${name}: same console and ending; L2 executes what L0's guest executes at depth 1; its exits reach L1`, () => {
      const workload = assemble(path);
      const depth0 = bare(workload);
      const guest = depth1(workload);
      const ops = guest.stats.levels.L1.opcodes;
      for (const shadowing of [false, true]) {
        const depth2 = nested(workload, { shadowing });
        const what = `${name}, shadowing ${shadowing}`;
        expect(depth2.result, what).toEqual(depth0.result);
        expect(depth2.console, what).toBe(depth0.console);
        // timer.s counts its ticks, so as many reach it at every depth; the I/O
        // workloads' completions may coalesce into fewer interrupts.
        if (name === 'timer.s' || !TIMING_DEPENDENT.includes(name)) {
          expect(interruptsDelivered(depth2.machine), what).toBe(interruptsDelivered(depth0.machine));
        }
        if (TIMING_DEPENDENT.includes(name)) continue;
        // The statistics saw L2 run exactly the guest of depth 1 (L0's
        // tracepoints say which level each entry runs).
        expect(depth2.stats.levels.L2.instructions, what).toBe(guest.stats.levels.L1.instructions);
        // What traps in those instructions reaches L1 (it asked for all of
        // it), each having trapped to L0 first.
        const io = executed(ops, 'in') + executed(ops, 'out');
        expect(count(depth2.stats, 'L2', 'L1', 'IO_INSTRUCTION'), what).toBe(io);
        expect(count(depth2.stats, 'L2', 'L0', 'IO_INSTRUCTION'), what).toBe(io);
        expect(count(depth2.stats, 'L2', 'L1', 'HLT'), what).toBe(executed(ops, 'hlt'));
        expect(count(depth2.stats, 'L2', 'L1', 'CPUID'), what).toBe(executed(ops, 'cpuid'));
        expect(count(depth2.stats, 'L2', 'L1', 'VMCALL'), what).toBe(executed(ops, 'vmcall'));
        expect(count(depth2.stats, 'L2', 'L1', 'EXTERNAL_INTERRUPT'), what).toBe(interruptsDelivered(depth0.machine));
      }
    });
  }
});

// ---- the trap table of the cpuid workload -------------------------------------------

/** The opcode of an instruction form, from the instruction table. */
const opcode = (mnemonic: string, operands: string): number =>
  BY_MNEMONIC.get(mnemonic)!.find((f) => f.operands.join(',') === operands)!.opcode;
// Where each form keeps the register holding the field encoding: bits 15:12
// (the second register operand) for vmread r, r; bits 11:8 for the others.
const FIELD_REGISTER_SHIFT = new Map([
  [opcode('vmread', 'r,r'), 12],
  [opcode('vmread', 'm,r'), 8],
  [opcode('vmwrite', 'r,r'), 8],
  [opcode('vmwrite', 'r,m'), 8],
]);
const WRITES = new Set([opcode('vmwrite', 'r,r'), opcode('vmwrite', 'r,m')]);
const SHADOWED_READ = new Set(VMCS_FIELDS.filter((f) => f.shadow).map((f) => f.encoding));
const SHADOWED_WRITE = new Set(VMCS_FIELDS.filter((f) => f.shadow === 'read-write').map((f) => f.encoding));

/** Every vmread/vmwrite L1 executes, by field, and whether it trapped to L0. */
interface Access {
  write: boolean;
  field: number;
  trapped: boolean;
}

function cpuidRun(shadowing: boolean, iterations: number, trace = false): Run & { accesses: Access[] } {
  const cpuid = assemble('guests/workloads/cpuid.s');
  const accesses: Access[] = [];
  const guestBase = symbol(l0, 'l0_guest_base');
  let last: Access | null = null;
  const onInstruction = (cpu: Cpu, machine: Machine) => {
    // The instruction before this one was L1's vmread/vmwrite: it trapped
    // if L0 runs now.
    if (last) {
      last.trapped = !cpu.vmx.nonRoot;
      accesses.push(last);
      last = null;
    }
    if (!cpu.vmx.nonRoot || cpu.currentLevel !== 1) return;
    const word = machine.memory.readU32(machine.memory.readU32(guestBase) + cpu.eip) >>> 0;
    const shift = FIELD_REGISTER_SHIFT.get(word & 0xff);
    if (shift !== undefined) {
      last = { write: WRITES.has(word & 0xff), field: cpu.regs[(word >>> shift) & 15] >>> 0, trapped: false };
    }
  };
  const run = nested(cpuid, { shadowing, iterations, onInstruction: trace ? onInstruction : undefined });
  expect(run.result).toMatchObject({ status: 'exited', exitCode: 0 });
  expect(run.console).toBe(`cpuid iterations: ${iterations}\n`);
  return { ...run, accesses };
}

/** The statistics of cpuidRun, made once for every test that reads them. */
const cpuidStats = new Map<string, MachineStats>();
function cpuidStatsOf(shadowing: boolean, iterations: number): MachineStats {
  const key = `${shadowing} ${iterations}`;
  let stats = cpuidStats.get(key);
  if (!stats) cpuidStats.set(key, (stats = cpuidRun(shadowing, iterations).stats));
  return stats;
}

describe('the trap table of N cpuid in L2 (L0 running L0 running cpuid.s)', () => {
  const N = 20;

  for (const shadowing of [false, true]) {
    it(`exactly N CPUID exits of L2 to L0 and N forwarded to L1 (shadowing ${shadowing ? 'on' : 'off'})`, () => {
      const stats = cpuidStatsOf(shadowing, N);
      expect(count(stats, 'L2', 'L0', 'CPUID')).toBe(N);
      expect(count(stats, 'L2', 'L1', 'CPUID')).toBe(N);
      // The round trip is the same exit, timed from L2's trap to L2's next instruction.
      expect(row(stats, 'L2', 'L1', 'CPUID')!.cycles).toBe(row(stats, 'L2', 'L0', 'CPUID')!.cycles);
      // Every VMX instruction L1 executes traps, vmlaunch and vmresume always.
      const l1 = stats.levels.L1.opcodes;
      expect(count(stats, 'L1', 'L0', 'VMRESUME')).toBe(executed(l1, 'vmresume'));
      expect(count(stats, 'L1', 'L0', 'VMLAUNCH')).toBe(executed(l1, 'vmlaunch'));
      for (const [reason, mnemonic] of [
        ['VMON', 'vmxon'],
        ['VMCLEAR', 'vmclear'],
        ['VMPTRLD', 'vmptrld'],
      ]) {
        expect(count(stats, 'L1', 'L0', reason), reason).toBe(executed(l1, mnemonic));
        expect(executed(l1, mnemonic), mnemonic).toBe(1);
      }
      if (!shadowing) {
        expect(count(stats, 'L1', 'L0', 'VMREAD')).toBe(executed(l1, 'vmread'));
        expect(count(stats, 'L1', 'L0', 'VMWRITE')).toBe(executed(l1, 'vmwrite'));
      }
    });
  }

  it('per L2 exit, without shadowing: L1 traps once per vmread, vmwrite and vmresume it executes', () => {
    // The difference between 2N and N iterations is N round trips.
    const once = cpuidStatsOf(false, N);
    const twice = cpuidStatsOf(false, 2 * N);
    for (const [reason, mnemonic] of [
      ['VMREAD', 'vmread'],
      ['VMWRITE', 'vmwrite'],
      ['VMRESUME', 'vmresume'],
    ]) {
      const traps = (count(twice, 'L1', 'L0', reason) - count(once, 'L1', 'L0', reason)) / N;
      const ran = (executed(twice.levels.L1.opcodes, mnemonic) - executed(once.levels.L1.opcodes, mnemonic)) / N;
      expect(traps, reason).toBe(ran);
      expect(traps, reason).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(traps), reason).toBe(true);
    }
  });

  it('with shadowing: no vmread of a shadowed field traps, nor a vmwrite of one once written; per L2 exit only vmresume', () => {
    const once = cpuidRun(true, N, true);
    const twice = cpuidRun(true, 2 * N, true);
    for (const { accesses, stats } of [once, twice]) {
      const traps = accesses.filter((a) => a.trapped);
      expect(traps.filter((a) => !a.write).length).toBe(count(stats, 'L1', 'L0', 'VMREAD'));
      expect(traps.filter((a) => a.write).length).toBe(count(stats, 'L1', 'L0', 'VMWRITE'));
      for (const a of accesses) {
        const shadowed = a.write ? SHADOWED_WRITE.has(a.field) : SHADOWED_READ.has(a.field);
        // A field outside the shadow lists always traps.
        if (!shadowed) expect(a.trapped, `field 0x${a.field.toString(16)}`).toBe(true);
        else if (!a.write) expect(a.trapped, `vmread 0x${a.field.toString(16)}`).toBe(false);
      }
      // A read-write shadowed field's vmwrite traps only the first time (L0
      // marks it written in vmcs12, then lets the next ones through).
      for (const field of SHADOWED_WRITE) {
        expect(accesses.filter((a) => a.write && a.field === field && a.trapped).length).toBeLessThanOrEqual(1);
      }
      expect(accesses.filter((a) => !a.write && SHADOWED_READ.has(a.field)).length).toBeGreaterThan(0);
    }
    const perExit = (reason: string) => (count(twice.stats, 'L1', 'L0', reason) - count(once.stats, 'L1', 'L0', reason)) / N;
    expect(perExit('VMREAD')).toBe(0);
    expect(perExit('VMWRITE')).toBe(0);
    expect(perExit('VMRESUME')).toBe(1);
    // ... while L1 still executes its vmread and vmwrite on every exit.
    const ran = (m: string) => (executed(twice.stats.levels.L1.opcodes, m) - executed(once.stats.levels.L1.opcodes, m)) / N;
    expect(ran('vmread')).toBeGreaterThan(0);
    expect(ran('vmwrite')).toBeGreaterThan(0);
  });

  it('a round trip costs fewer cycles with shadowing', () => {
    const cycles = (shadowing: boolean) => {
      const r = row(cpuidStatsOf(shadowing, N), 'L2', 'L0', 'CPUID')!;
      return r.cycles / r.count;
    };
    expect(cycles(true)).toBeLessThan(cycles(false));
  });

  it("vmcs12 is L1's VMCS region in L1's memory, launched, in L0's revision", () => {
    const { machine } = cpuidRun(false, 1);
    const guestBase = machine.memory.readU32(symbol(l0, 'l0_guest_base'));
    // L1 is L0's image: its VMCS is its l0_vmcs01_region.
    const vmcs12 = guestBase + symbol(l0, 'l0_vmcs01_region');
    expect(machine.memory.readU32(vmcs12) >>> 0).toBe(0x4c300001);
    expect(machine.memory.readU32(vmcs12 + 8)).toBe(1); // launch state: launched
  });
});

// ---- what L2 sees through L1 ----------------------------------------------------------

describe('what L2 sees: the machine L1 gives it, whatever is below L1', () => {
  it('CPUID: L1 hides VMX and names itself; every cpuid reaches L1', () => {
    const { result, console, stats } = nested(l0Test('cpuid'));
    expect(console).toBe('vendor: smtnest CPU \nvmx: 0\nhypervisor: 1\nleaf 0x40000000: eax 0x40000000 signature "smtnestL0HV "\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(count(stats, 'L2', 'L1', 'CPUID')).toBe(4);
  });

  it("no VMX: L2's VMX instructions get #UD injected by L1, VMX MSRs #GP", () => {
    const { result, console, machine, stats } = nested(l0Test('no-vmx'));
    expect(console).toBe('vmxon: #UD\nvmread: #UD\nvmcall 99: 0xffffffff\nrdmsr 0x480: #GP\nrdmsr 0x10: ok\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(count(stats, 'L2', 'L1', 'VMON')).toBe(1);
    expect(count(stats, 'L2', 'L1', 'VMREAD')).toBe(1);
    expect(count(stats, 'L2', 'L1', 'MSR_READ')).toBe(2);
    expect(machine.cpu.vectorCounts[6]).toBe(2);
    expect(machine.cpu.vectorCounts[13]).toBe(1);
  });

  it('hypercalls go to L1', () => {
    const { console, stats } = nested(l0Test('hypercall'));
    expect(console).toBe('hypercall 7: 0xffffffff\nhypercall 0: 0 after 100 rounds\n');
    expect(count(stats, 'L2', 'L1', 'VMCALL')).toBe(101);
  });

  for (const name of ['busy-timer', 'interrupt-window', 'interrupt-priority']) {
    it(`interrupts: ${name} as bare, with and without shadowing`, () => {
      const guest = l0Test(name);
      const depth0 = bare(guest);
      for (const shadowing of [false, true]) {
        const depth2 = nested(guest, { shadowing });
        expect(depth2.console).toBe(depth0.console);
        expect(depth2.result).toEqual(depth0.result);
        expect(interruptsDelivered(depth2.machine)).toBe(interruptsDelivered(depth0.machine));
        // Every tick reaches L1 as an exit of L2; one raised after the
        // program's cli (a slower run lets one more tick in) stays pending.
        expect(count(depth2.stats, 'L2', 'L1', 'EXTERNAL_INTERRUPT')).toBeGreaterThanOrEqual(interruptsDelivered(depth0.machine));
      }
    });
  }

  it("an access outside L2's memory is an EPT violation L1 sees (EPT12 does not map it), and L1 stops the run", () => {
    const guest = l0Test('outside-memory', { READ: 1 });
    const { result, console, stats } = nested(guest);
    expect(console).toMatch(/^L0: guest read at guest-physical 0x[0-9a-f]+ outside its memory, at guest eip 0x[0-9a-f]+\n$/);
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.EPT_VIOLATION });
    expect(count(stats, 'L2', 'L1', 'EPT_VIOLATION')).toBe(1);
  });
});

describe('recursion', () => {
  it('depth 3: L0 running L0 running L0 running a workload (the middle one emulates VMX on emulated VMX)', () => {
    for (const [path, console] of [
      ['guests/examples/hello.s', 'Hello from smtnest!\n'],
      ['guests/workloads/cpuid.s', 'cpuid iterations: 3\n'],
    ]) {
      const machine = new Machine({ ramSize: 64 << 20 });
      machine.loadProgram(l0, [l0, l0, assemble(path)], { depth: 3, iterations: 3 });
      const result = machine.run({ maxInstructions: 100_000_000 });
      expect(machine.serial.text(), path).toBe(console);
      expect(result, path).toMatchObject({ status: 'exited', exitCode: 0 });
    }
  });
});

// ---- the VMX L1 sees --------------------------------------------------------------------

const SUITE_INCLUDE = [...INCLUDE, SUITE];

/** A depth-2 run in which L1 has exactly 4 MiB of memory, as the VMX
 * conformance programs assume (their "outside RAM" is 8 MiB). */
function withL1Of4MiB(l1: Program, shadowing: boolean, mode: Mode = 'baseline'): Run {
  const hello = assemble('guests/examples/hello.s');
  // L0's memory plan does not depend on RAM between 4 and 8 MiB (2 EPT
  // tables): find where L1's memory starts, then give L1 4 MiB from there.
  const STOP = new Error('L1 runs');
  const probe = new Machine({ ramSize: 6 << 20, ...modeHardware(mode) });
  probe.loadProgram(l0, [l1, hello], { depth: 2, shadowing, mode });
  expect(() => probe.run({ onInstruction: (cpu) => { if (cpu.vmx.nonRoot) throw STOP; } })).toThrow(STOP);
  const guestBase = probe.memory.readU32(symbol(l0, 'l0_guest_base'));
  return nested(hello, { shadowing, mode, ramSize: guestBase + (4 << 20) }, l1);
}

const notOk = (console: string) => console.split('\n').filter((l) => /^not ok \d+ - |^Bail out!/.test(l)).map((l) => l.replace(/^not ok \d+ - /, ''));

describe('the VMX L1 sees', () => {
  for (const shadowing of [false, true]) {
    it(`nested-vmx.s: VMfail semantics and error numbers, one round trip to L2 (shadowing ${shadowing ? 'on' : 'off'})`, () => {
      const program = assemble('guests/l0/tests/nested-vmx.s', SUITE_INCLUDE);
      const { result, console } = withL1Of4MiB(program, shadowing);
      expect(notOk(console), console).toEqual([]);
      expect(console).toMatch(/^1\.\.\d+\n# all checks passed\n$/m);
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    });
  }

  // Where L1 sees other than the bare machine, by L0's choice. Everything
  // else in the suite holds under L0 as on the hardware.
  const DIFFERENCES: Record<string, string[]> = {
    // L0's revision identifier is its own; it offers no VMCS shadowing.
    'capabilities.s': [
      'IA32_VMX_BASIC bits 30:0: the revision identifier VMCS_REVISION_ID',
      'IA32_VMX_PROCBASED_CTLS2 allowed-1: enable EPT, VMCS shadowing',
      'IA32_VMX_BASIC reads the same in VMX operation',
      'the revision vmxon accepted is VMCS_REVISION_ID',
    ],
    // vmcall is L0's hypercall whatever L1's VMX state (as KVM's handle_vmcall).
    'ud_outside_vmx.s': ['vmcall outside VMX operation raises #UD', 'vmcall after vmxoff raises #UD'],
    'vmxon.s': [
      'vmcall in root without a current VMCS: VMfailInvalid',
      'vmcall in root with a current VMCS: VMfailValid(1)',
      'the VMCS (vmcleared) kept its VM_INSTRUCTION_ERROR across vmxoff and vmxon',
    ],
  };
  // Programs that cannot pass: L1 may not use VMCS shadowing (not offered),
  // and a port L1 lets its guest at directly is one L0 must allow L1 (L0's
  // port policy stops the run at port 0x81).
  const SKIPPED = ['shadowing.s', 'io_msr_exits.s'];

  const programs = readdirSync(SUITE).filter((f) => f.endsWith('.s') && !SKIPPED.includes(f)).sort();
  it('runs the whole VMX conformance suite as L1 but the programs that cannot pass', () => {
    expect(programs.length).toBeGreaterThanOrEqual(10);
  });
  // In every mode: the programs are hypervisors written for ordinary VMX
  // (they save and load their guest's registers themselves and take up
  // neither sw mode's exit channel nor hw mode's thread extension), and L0
  // gives them the VMX of the hardware in each (guest_registers.s checks
  // the registers and interrupt tables across exits and entries).
  for (const mode of ['baseline', 'sw', 'hw'] as const)
  for (const shadowing of [false, true]) {
    for (const name of programs) {
      it(`${name} as L1: only the differences L0 chooses (${mode}, shadowing ${shadowing ? 'on' : 'off'})`, () => {
        const { console, result } = withL1Of4MiB(assemble(`guests/tests/vmx/${name}`, SUITE_INCLUDE), shadowing, mode);
        expect(notOk(console), console).toEqual(DIFFERENCES[name] ?? []);
        expect(console).toMatch(/^1\.\.\d+$/m);
        expect(result).toMatchObject({ status: 'exited', exitCode: DIFFERENCES[name] ? 1 : 0 });
      });
    }
  }
});
