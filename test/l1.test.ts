// The L1 hypervisor (guests/l1/l1.s): a KVM-like hypervisor image meant to
// run as L0's guest, and able to run on the bare machine as the outermost
// hypervisor. Here it runs on the bare machine (depth 1, and L1 running L1 at
// depth 2).
//
// What is checked: every example and workload prints the same and ends the
// same under L1 as bare, with the exits its instructions and interrupts
// cause; what the guest sees (CPUID from L1's table, hypercalls, no VMX, the
// TSC, its registers kept, its boot-info block); interrupt injection and
// windows; halting; isolation (EPT, ports) with L1's reports and statuses;
// an L1 whose guest is another L1 (no VMX: the inner one stops cleanly);
// and the VMCS accesses of every kind of exit, which l1.s's header documents
// with the KVM code each mirrors.
//
// Then the same image as L0's guest (depth 2, L0's nested VMX): the same
// consoles, the same VMCS accesses per exit, each of them now an L1 -> L0
// trap unless VMCS shadowing lets it through; and L0 -> L1 -> L1 -> workload
// (depth 3), where the inner L1 finds no VMX.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSource, type Program } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import { INSTRUCTIONS } from '../src/isa/table.ts';
import { Machine, type RunResult } from '../src/machine/machine.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { EXIT_REASON_NAMES } from '../src/cpu/vmx/exit-reasons.ts';
import { F } from '../src/cpu/vmx/vmcs.ts';
import { executed, exitCounts, STATUS, symbol } from './reference/hypervisors.ts';

const INCLUDE = [join(PROJECT_ROOT, 'guests/include')];
const RAM = 32 << 20;
const BUDGET = 20_000_000;

const program = (path: string, defines?: Record<string, number | string>): Program =>
  imageCache.assemble(join(PROJECT_ROOT, path), { includePaths: INCLUDE, defines });
const inline = (source: string): Program => assembleSource(source, 'inline.s', { includePaths: INCLUDE });

const l1 = program('guests/l1/l1.s');
const l0 = program('guests/l0/l0.s');
const l1Test = (name: string): Program => program(`guests/l1/tests/${name}.s`);

/** The stop statuses, from the table in hypervisor.inc (one place for the fact). */


interface Run {
  result: RunResult;
  console: string;
  machine: Machine;
}

type Hook = (machine: Machine) => void;

function run(load: (machine: Machine) => void, hook?: Hook): Run {
  const machine = new Machine({ ramSize: RAM });
  load(machine);
  const result = machine.run({ maxInstructions: BUDGET, onInstruction: hook && (() => hook(machine)) });
  return { result, console: machine.serial.text(), machine };
}

const bare = (guest: Program, iterations = 0): Run => run((m) => m.loadProgram(guest, [], { iterations }));
/** L1 on the bare machine, as the outermost hypervisor, running `guest`. */
const underL1 = (guest: Program, options: { iterations?: number; hook?: Hook } = {}): Run =>
  run((m) => m.loadProgram(l1, [guest], { depth: 1, iterations: options.iterations ?? 0 }), options.hook);

/** L0 running L1 running `guest` (depth 2). */
const underL0 = (guest: Program, options: { iterations?: number; shadowing?: boolean; hook?: Hook } = {}): Run =>
  run(
    (m) => m.loadProgram(l0, [l1, guest], { depth: 2, iterations: options.iterations ?? 0, shadowing: options.shadowing ?? false }),
    options.hook,
  );

/** Exit counts by reason; on the bare machine every exit goes from L1's guest to L1 (levels 1 -> 0). */

/** Instructions of the given mnemonics a run executed (all forms). */

const l1Word = (machine: Machine, name: string): number => machine.memory.readU32(symbol(l1, name)) >>> 0;
const hex = (n: number) => `0x${n.toString(16)}`;

// ---- the examples and workloads ---------------------------------------------------

describe('L1 on the bare machine runs every example and workload as the bare machine does', () => {
  const examples = ['hello', 'fibonacci', 'sieve', 'crc32', 'sort', 'timer'];
  for (const name of examples) {
    it(`${name}: same console, same ending, same guest instructions; one exit per trapping instruction`, () => {
      const guest = program(`guests/examples/${name}.s`);
      const depth0 = bare(guest);
      const depth1 = underL1(guest);
      expect(depth0.console).toBe(readFileSync(join(PROJECT_ROOT, `guests/examples/${name}.expected`), 'utf8'));
      expect(depth1.console).toBe(depth0.console);
      expect(depth1.result.status).toBe(depth0.result.status);
      expect(depth1.result.exitCode).toBe(depth0.result.exitCode);
      expect(depth1.machine.stats().levels.L1.instructions).toBe(depth0.machine.cpu.instructions);

      const exits = exitCounts(depth1.machine);
      const hlt = executed(depth0.machine, 'hlt');
      expect(exits.IO_INSTRUCTION).toBe(executed(depth0.machine, 'in', 'out'));
      expect(exits.HLT ?? 0).toBe(hlt);
      // The timer's ticks all find the guest halted: L1 waits for them itself
      // (KVM's blocked vCPU), so they reach L1 through its own interrupt
      // table, not as EXTERNAL_INTERRUPT exits.
      expect(Object.keys(exits).sort()).toEqual(['IO_INSTRUCTION', ...(hlt ? ['HLT'] : [])].sort());
    });
  }

  it('cpuid: one CPUID exit per iteration, the same guest instructions', () => {
    const guest = program('guests/workloads/cpuid.s');
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    expect(depth0.console).toBe('cpuid iterations: 1000\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(depth1.machine.stats().levels.L1.instructions).toBe(depth0.machine.cpu.instructions);
    expect(exitCounts(depth1.machine)).toEqual({ CPUID: 1000, IO_INSTRUCTION: executed(depth0.machine, 'in', 'out') });
  });

  it('vmcall: hypercall 0 returns 0; one VMCALL exit per iteration (bare, a local stand-in)', () => {
    const guest = program('guests/workloads/vmcall.s');
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    expect(depth0.console).toBe('vmcall iterations: 1000\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(exitCounts(depth1.machine)).toEqual({ CPUID: 1, VMCALL: 1000, IO_INSTRUCTION: executed(depth0.machine, 'in', 'out') });
  });
});

// ---- what the guest sees -------------------------------------------------------------------

describe('what L1 shows its guest', () => {
  it('CPUID from its table (no VMX, the hypervisor bit, "smtnestL1HV "), hypercalls, #UD for VMX, #GP for VMX MSRs, the TSC', () => {
    const guest = l1Test('guest-view');
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    const tsc = 'tsc high dword after wrmsr: rdmsr 0x1 rdtsc 0x1\n';
    expect(depth0.console).toBe(
      'vendor: smtnest CPU \nvmx: 0x1\nhypervisor: 0x0\nleaf 0x40000000: eax 0x0 signature ""\nleaf 0x80000000: eax 0x0\n' + tsc,
    );
    expect(depth1.console).toBe(
      'vendor: smtnest CPU \nvmx: 0x0\nhypervisor: 0x1\nleaf 0x40000000: eax 0x40000000 signature "smtnestL1HV "\n' +
        'leaf 0x80000000: eax 0x0\nhypercall 0: 0x0\nhypercall 7: 0xffffffff\nvmxon: #UD\nvmlaunch: #UD\nrdmsr 0x480: #GP\n' +
        tsc,
    );
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(exitCounts(depth1.machine)).toMatchObject({ CPUID: 4, VMCALL: 2, VMON: 1, VMLAUNCH: 1, MSR_READ: 2, MSR_WRITE: 1 });
    expect(depth1.machine.cpu.vectorCounts[6]).toBe(2);
    expect(depth1.machine.cpu.vectorCounts[13]).toBe(1);
  });

  it('keeps every guest register across exits (the save area), esp included', () => {
    const regs = ['ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
    const set = regs.map((r, i) => `    mov ${r}, ${0x1000 + i}`).join('\n');
    const checkOf = (names: string[]) =>
      regs.map((r, i) => (names.includes(r) ? `    cmp ${r}, ${0x1000 + i}\n    jne bad` : '')).filter(Boolean).join('\n');
    const check = checkOf(regs);
    // cpuid writes eax ebx ecx edx; every other register must survive its exit.
    const checkAfterCpuid = checkOf(regs.filter((r) => !['ebx', 'ecx', 'edx'].includes(r)));
    const guest = inline(`%include "console.inc"
_start:
${set}
    mov eax, 'A'
    out PORT_SERIAL_DATA, eax
${check}
    cmp eax, 'A'
    jne bad
${set}
    mov eax, 0
    cpuid
${checkAfterCpuid}
    mov eax, esp                ; esp as the data register, both directions
    mov esp, 'B'
    out PORT_SERIAL_DATA, esp
    in esp, PORT_SERIAL_LINE_STATUS
    cmp esp, 0x60
    jne bad
    mov esp, eax
    puts ok
    exit 0
bad:
    exit 1
ok: db 10, "kept", 10, 0
`);
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    expect(depth0.console).toBe('AB\nkept\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
  });

  it("writes the guest's boot-info block: its memory, one level less, the other modules copied in", () => {
    const guest = program('guests/examples/hello.s');
    const extra = inline('org 0x2000\n_start:\n    hlt\n    dd 0x11223344, 0x55667788\n');
    const { result, console, machine } = run((m) =>
      m.loadProgram(l1, [guest, extra], { depth: 2, iterations: 7, mode: 'sw', shadowing: true }),
    );
    expect(console).toBe('Hello from smtnest!\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });

    const base = l1Word(machine, 'l1_guest_base');
    const size = l1Word(machine, 'l1_guest_size');
    expect(base % 4096).toBe(0);
    expect(base + size).toBe(RAM);
    const blockGpa = Math.ceil((guest.origin + guest.bytes.length) / 4096) * 4096;
    expect(l1Word(machine, 'l1_guest_bootinfo')).toBe(blockGpa);
    const word = (gpa: number) => machine.memory.readU32(base + gpa) >>> 0;
    expect(word(blockGpa)).toBe(0x49424e53); // "SNBI"
    expect(word(blockGpa + 4)).toBe(1);
    expect(word(blockGpa + 8)).toBe(size);
    expect(word(blockGpa + 12)).toBe(machine.bootInfo!.threads);
    expect(word(blockGpa + 16)).toBe(1); // depth: one less
    expect(word(blockGpa + 20)).toBe(1); // mode sw
    expect(word(blockGpa + 24)).toBe(1); // flags: shadowing
    expect(word(blockGpa + 28)).toBe(7); // iterations
    expect(word(blockGpa + 32)).toBe(1); // module count: the extra one
    const moduleGpa = word(blockGpa + 36);
    expect(moduleGpa % 4096).toBe(0);
    expect(moduleGpa).toBeGreaterThan(blockGpa);
    expect(word(blockGpa + 40)).toBe(extra.bytes.length);
    expect(word(blockGpa + 44)).toBe(0x2000);
    expect(word(blockGpa + 48)).toBe(extra.entry);
    expect(machine.memory.bytes.slice(base + moduleGpa, base + moduleGpa + extra.bytes.length)).toEqual(extra.bytes);
  });
});

// ---- interrupts and halting ---------------------------------------------------------------

describe('interrupts reach the guest as on the bare machine', () => {
  it('ticks while the guest computes are injected at once; held-off ones after the sti shadow, highest first, one per window', () => {
    const guest = l1Test('busy-ticks');
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    expect(depth0.console).toBe('3 ticks while busy\nvector 0x30 after the shadow: 1\nvector 0x21\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    // (How many loop rounds fit between ticks depends on the level: no
    // instruction count to compare.)
    const exits = exitCounts(depth1.machine);
    expect(exits).toMatchObject({ EXTERNAL_INTERRUPT: 5, INTERRUPT_WINDOW: 2 });
    expect(exits.HLT).toBeUndefined();
  });

  it('sti; hlt with a tick already pending: injected at the HLT exit, no sleep', () => {
    const guest = l1Test('pending-hlt');
    const depth0 = bare(guest);
    const depth1 = underL1(guest);
    expect(depth0.console).toBe('tick\ndone\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    // The window opened for the tick stays open after it is injected at the
    // hlt (KVM closes it only in handle_interrupt_window): one window exit
    // with nothing left to inject, after the handler's iret.
    expect(exitCounts(depth1.machine)).toMatchObject({ EXTERNAL_INTERRUPT: 1, HLT: 1, INTERRUPT_WINDOW: 1 });
  });

  it('hlt with interrupts off ends the run as halted, as bare', () => {
    const guest = inline('%include "console.inc"\n_start:\n    puts msg\n    cli\n    hlt\nmsg: db "bye", 10, 0\n');
    expect(bare(guest).result).toMatchObject({ status: 'halted', exitCode: 0 });
    const depth1 = underL1(guest);
    expect(depth1.result).toMatchObject({ status: 'halted', exitCode: 0 });
    expect(depth1.console).toBe('bye\n');
    expect(exitCounts(depth1.machine).HLT).toBe(1);
  });

  it('hlt with interrupts on and no device to raise one ends as halted, as bare', () => {
    const guest = inline('_start:\n    sti\n    hlt\n    ud2\n');
    expect(bare(guest).result).toMatchObject({ status: 'halted', exitCode: 0 });
    const depth1 = underL1(guest);
    expect(depth1.result).toMatchObject({ status: 'halted', exitCode: 0 });
    expect(depth1.console).toBe('');
  });

  it('a guest triple fault ends the run with the bare machine status 125', () => {
    const guest = inline('_start:\n    nop\nfault:\n    ud2\n');
    expect(bare(guest).result).toMatchObject({ status: 'triple-fault', exitCode: 125 });
    const depth1 = underL1(guest);
    expect(STATUS.TRIPLE_FAULT).toBe(125);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 125 });
    expect(depth1.console).toBe(`L1: guest triple fault at guest eip ${hex(symbol(guest, 'fault'))}\n`);
  });
});

// ---- isolation ---------------------------------------------------------------------------------

/** Runs `guest` under L1 with a snapshot of L1's memory (everything below
 * GUEST_BASE) at the first guest instruction; returns the addresses that
 * differ at the end, outside L1's stack and vCPU (which every exit writes). */
function isolationRun(guest: Program): Run & { changed: number[]; guestBase: number } {
  let before: Uint8Array | undefined;
  const result = run((machine) => {
    machine.loadProgram(l1, [guest], { depth: 1 });
    // One instruction at a time up to the guest's first, at full speed from there.
    if (machine.runStepped({ maxInstructions: BUDGET, beforeInstruction: (cpu) => cpu.vmx.nonRoot }) !== null) throw new Error('the guest never ran');
    before = machine.memory.bytes.slice(0, l1Word(machine, 'l1_guest_base'));
  });
  if (!before) throw new Error('the guest never ran');
  const [start, end] = [symbol(l1, 'l1_stack'), symbol(l1, 'l1_end')];
  const after = result.machine.memory.bytes;
  const changed: number[] = [];
  for (let a = 0; a < before.length; a++) if ((a < start || a >= end) && after[a] !== before[a]) changed.push(a);
  return { ...result, changed, guestBase: before.length };
}

describe("a guest cannot reach L1's memory or devices it was not given", () => {
  it('a write past the end of its memory is an EPT violation: L1 reports it and stops', () => {
    const guest = inline(
      '%include "bootinfo.inc"\n_start:\n    mov eax, [ebx + BOOTINFO_RAM_SIZE]\naccess:\n    mov dword [eax], 0x5a5a5a5a\n    hlt\n',
    );
    const r = isolationRun(guest);
    const gpa = RAM - r.guestBase;
    expect(r.console).toBe(`L1: guest write at guest-physical ${hex(gpa)} outside its memory, at guest eip ${hex(symbol(guest, 'access'))}\n`);
    expect(r.result).toMatchObject({ status: 'exited', exitCode: STATUS.EPT_VIOLATION });
    expect(exitCounts(r.machine)).toEqual({ EPT_VIOLATION: 1 });
    expect(r.changed).toEqual([]);
  });

  for (const [direction, port] of [
    ['out', 0x80],
    ['in', 0x1234],
    ['out', 0x510], // the tracepoint: the outermost hypervisor's, not the guest's
  ] as const) {
    it(`${direction} port ${hex(port)} stops the run`, () => {
      const insn = direction === 'in' ? `in eax, ${port}` : `out ${port}, eax`;
      const guest = inline(`_start:\n    mov eax, 1\naccess:\n    ${insn}\n    hlt\n`);
      const r = isolationRun(guest);
      expect(r.console).toBe(
        `L1: guest ${direction} port ${hex(port)}: not a device this guest was given, at guest eip ${hex(symbol(guest, 'access'))}\n`,
      );
      expect(r.result).toMatchObject({ status: 'exited', exitCode: STATUS.BAD_PORT });
      expect(r.changed).toEqual([]);
    });
  }
});

// ---- depth 3: an L1 whose guest is a hypervisor ----------------------------------------------

describe('an L1 whose guest is a hypervisor offers it no VMX', () => {
  it('L1 running L1 running a workload: the inner L1 finds no VMX in CPUID and stops with its status 0x70', () => {
    const workload = program('guests/workloads/cpuid.s');
    const { result, console, machine } = run((m) => m.loadProgram(l1, [l1, workload], { depth: 2 }));
    expect(console).toBe('L1: this CPU has no VMX (CPUID.1:ECX bit 5 is clear)\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.NO_VMX });
    expect(STATUS.NO_VMX).toBe(0x70);
    // One cpuid (leaf 1), then the report and the debug exit: nothing else
    // of the inner L1 traps (it never reaches an MSR or a VMX instruction).
    expect(exitCounts(machine)).toEqual({ CPUID: 1, IO_INSTRUCTION: console.length + 1 });
  });
});

// ---- the cost of each exit in VMCS accesses --------------------------------------------------

const opcodesOf = (...mnemonics: string[]) => INSTRUCTIONS.filter((f) => mnemonics.includes(f.mnemonic)).map((f) => f.opcode);
const VMREAD = opcodesOf('vmread');
const VMWRITE = opcodesOf('vmwrite');
const [VMLAUNCH] = opcodesOf('vmlaunch');
const [VMRESUME] = opcodesOf('vmresume');

/** vmread and vmwrite L1 executes per exit, by exit reason: counted from one
 * VM entry to the next, after the first (vmlaunch ends L1's setup); an exit
 * after which the run ended is counted to the end, marked "then the end". */
function vmcsAccessesPerExit(guest: Program): Record<string, string[]> {
  let launched = false;
  let reads = 0;
  let writes = 0;
  const seen: Record<string, Set<string>> = {};
  const { machine } = underL1(guest, {
    iterations: 20,
    hook: (machine) => {
      const cpu = machine.cpu;
      if (cpu.vmx.nonRoot) return;
      const op = machine.memory.words[cpu.eip >>> 2] & 0xff;
      if (VMREAD.includes(op)) reads++;
      if (VMWRITE.includes(op)) writes++;
      if (op === VMRESUME && launched) {
        const reason = EXIT_REASON_NAMES[cpu.vmx.vmcs.get(F.VM_EXIT_REASON) & 0xffff];
        (seen[reason] ??= new Set()).add(`${reads} vmread, ${writes} vmwrite`);
      }
      if (op === VMLAUNCH || op === VMRESUME) {
        launched = true;
        reads = writes = 0;
      }
    },
  });
  if (launched && !machine.cpu.vmx.nonRoot) {
    const reason = EXIT_REASON_NAMES[machine.cpu.vmx.vmcs.get(F.VM_EXIT_REASON) & 0xffff];
    (seen[reason] ??= new Set()).add(`${reads} vmread, ${writes} vmwrite, then the end`);
  }
  return Object.fromEntries(Object.entries(seen).map(([reason, costs]) => [reason, [...costs].sort()]));
}

/** l1.s's table: the VMCS accesses of each kind of exit, in every state
 * the tests reach (sti shadow, window open or not, interrupt pending). */
const TABLE: Record<string, string[]> = {
  CPUID: ['6 vmread, 1 vmwrite', '6 vmread, 2 vmwrite'],
  VMCALL: ['6 vmread, 1 vmwrite', '6 vmread, 2 vmwrite'],
  IO_INSTRUCTION: ['8 vmread, 1 vmwrite', '8 vmread, 2 vmwrite'],
  HLT: ['10 vmread, 2 vmwrite', '10 vmread, 3 vmwrite', '9 vmread, 3 vmwrite'],
  EXTERNAL_INTERRUPT: ['6 vmread, 1 vmwrite', '4 vmread, 1 vmwrite', '4 vmread, 0 vmwrite'],
  INTERRUPT_WINDOW: ['5 vmread, 2 vmwrite', '5 vmread, 3 vmwrite', '2 vmread, 1 vmwrite'],
};

/** I/O exits: 8 vmread and 1 vmwrite; the last one, the guest's write to the
 * debug-exit port, ends the run inside handle_io, after its 4 vmread. */
const IO = ['4 vmread, 0 vmwrite, then the end', '8 vmread, 1 vmwrite'];

describe("VMCS accesses per exit (l1.s's table, KVM's reads and writes)", () => {
  it('CPUID and VMCALL: reason, vectoring, the skip (rflags, length, rip, interruptibility); RIP written', () => {
    expect(vmcsAccessesPerExit(program('guests/workloads/cpuid.s'))).toEqual({
      CPUID: ['6 vmread, 1 vmwrite'],
      IO_INSTRUCTION: IO,
    });
    expect(vmcsAccessesPerExit(program('guests/workloads/vmcall.s'))).toMatchObject({ VMCALL: ['6 vmread, 1 vmwrite'] });
  });

  it('the same per CPUID from two runs of the cpuid workload, N and 2N iterations, by difference', () => {
    const count = (iterations: number) => {
      const { machine } = underL1(program('guests/workloads/cpuid.s'), { iterations });
      const opcodes = machine.stats().levels.L0.opcodes; // L1 is the bare machine's root level
      const sum = (m: string) => Object.entries(opcodes).filter(([f]) => f.split(' ')[0] === m).reduce((s, [, n]) => s + n, 0);
      return { vmread: sum('vmread'), vmwrite: sum('vmwrite') };
    };
    const [n, twice] = [count(100), count(200)];
    expect({ vmread: (twice.vmread - n.vmread) / 100, vmwrite: (twice.vmwrite - n.vmwrite) / 100 }).toEqual({ vmread: 6, vmwrite: 1 });
  });

  it('HLT: the skip, L1 waits for the tick (a check before and after), inject and re-check', () => {
    expect(vmcsAccessesPerExit(program('guests/examples/timer.s'))).toEqual({
      // The first hlt follows the sti that enabled interrupts: it exits in
      // the sti shadow, so the skip also clears blocking by sti.
      HLT: ['10 vmread, 2 vmwrite', '10 vmread, 3 vmwrite'],
      IO_INSTRUCTION: IO,
    });
  });

  it('HLT with a tick already pending: no wait, one wake-up check', () => {
    expect(vmcsAccessesPerExit(l1Test('pending-hlt'))).toEqual({
      EXTERNAL_INTERRUPT: ['4 vmread, 1 vmwrite'],
      HLT: ['9 vmread, 3 vmwrite'],
      // The window still open, nothing to inject: close it.
      INTERRUPT_WINDOW: ['2 vmread, 1 vmwrite'],
      IO_INSTRUCTION: IO,
    });
  });

  it('EXTERNAL_INTERRUPT and INTERRUPT_WINDOW: inject at once, or open a window and inject there', () => {
    expect(vmcsAccessesPerExit(l1Test('busy-ticks'))).toEqual({
      // Interruptible: INTR_INFO, rflags, interruptibility, inject, re-check.
      // IF clear: rflags says so; the window opens (already open for the second).
      EXTERNAL_INTERRUPT: ['4 vmread, 0 vmwrite', '4 vmread, 1 vmwrite', '6 vmread, 1 vmwrite'],
      // Close the window, inject, re-check; reopen it while another waits.
      INTERRUPT_WINDOW: ['5 vmread, 2 vmwrite', '5 vmread, 3 vmwrite'],
      IO_INSTRUCTION: IO,
    });
  });

  it('EPT_VIOLATION and TRIPLE_FAULT: what the report needs, then the run ends', () => {
    const outside = inline('%include "bootinfo.inc"\n_start:\n    mov eax, [ebx + BOOTINFO_RAM_SIZE]\n    mov dword [eax], 1\n');
    expect(vmcsAccessesPerExit(outside)).toEqual({ EPT_VIOLATION: ['5 vmread, 0 vmwrite, then the end'] });
    expect(vmcsAccessesPerExit(inline('_start:\n    ud2\n'))).toEqual({ TRIPLE_FAULT: ['3 vmread, 0 vmwrite, then the end'] });
  });

  it('VMX instructions and VMX MSRs: queue the exception; MSR of the TSC: the skip', () => {
    expect(vmcsAccessesPerExit(l1Test('guest-view'))).toMatchObject({
      VMON: ['2 vmread, 1 vmwrite'],
      VMLAUNCH: ['2 vmread, 1 vmwrite'],
      MSR_READ: ['2 vmread, 1 vmwrite', '6 vmread, 1 vmwrite'],
      MSR_WRITE: ['6 vmread, 1 vmwrite'],
    });
  });
});

// ---- depth 2: L1 as L0's guest ------------------------------------------------------------------

/** Exit counts at depth 2, keyed "from->to REASON". */
function exitTable(machine: Machine): Record<string, number> {
  return Object.fromEntries(machine.stats().exits.map((row) => [`${row.from}->${row.to} ${row.reason}`, row.count]));
}

describe('L1 under L0 (depth 2) runs every example and workload as the bare machine does', () => {
  const names = ['examples/hello', 'examples/fibonacci', 'examples/sieve', 'examples/crc32', 'examples/sort', 'examples/timer'];
  for (const name of [...names, 'workloads/cpuid', 'workloads/vmcall']) {
    it(`${name}: same console and ending; every I/O instruction of L2 reflected to L1`, () => {
      const guest = program(`guests/${name}.s`);
      const depth0 = bare(guest, 50);
      const depth2 = underL0(guest, { iterations: 50 });
      expect(depth2.console).toBe(depth0.console);
      expect(depth2.result.status).toBe(depth0.result.status);
      expect(depth2.result.exitCode).toBe(depth0.result.exitCode);
      const exits = exitTable(depth2.machine);
      expect(exits['L2->L1 IO_INSTRUCTION']).toBe(executed(depth0.machine, 'in', 'out'));
      // (Not the hlt count: at depth 2 printing "tick N" takes longer than
      // the timer's period, so later ticks interrupt the handler's printing
      // instead of waking a halted guest; the console is the same.)
      if (name === 'workloads/cpuid') expect(exits['L2->L1 CPUID']).toBe(50);
      if (name === 'workloads/vmcall') expect(exits['L2->L1 VMCALL']).toBe(50);
    });
  }

  for (const name of ['guest-view', 'busy-ticks', 'pending-hlt']) {
    for (const shadowing of [false, true]) {
      it(`${name}, shadowing ${shadowing ? 'on' : 'off'}: what the guest sees and when its interrupts arrive, as at depth 1`, () => {
        const guest = l1Test(name);
        const depth1 = underL1(guest);
        const depth2 = underL0(guest, { shadowing });
        expect(depth2.console).toBe(depth1.console);
        expect(depth2.result).toMatchObject({ status: 'exited', exitCode: 0 });
      });
    }
  }
});

describe('L1 under L0 stops and halts as it does on the bare machine', () => {
  for (const [what, source] of [
    ['an access past its memory (EPT violation)', '%include "bootinfo.inc"\n_start:\n    mov eax, [ebx + BOOTINFO_RAM_SIZE]\n    mov dword [eax], 1\n'],
    ['a port it was not given', '_start:\n    mov eax, 1\n    out 0x80, eax\n    hlt\n'],
    ['a triple fault', '_start:\n    nop\n    ud2\n'],
    ['hlt with interrupts off', '%include "console.inc"\n_start:\n    puts msg\n    cli\n    hlt\nmsg: db "bye", 10, 0\n'],
    ['hlt with no device to wake it', '_start:\n    sti\n    hlt\n    ud2\n'],
  ] as const) {
    it(`${what}: the same report and ending as at depth 1`, () => {
      const guest = inline(source);
      const depth1 = underL1(guest);
      const depth2 = underL0(guest);
      // The address past the guest's memory is its RAM_SIZE, which is
      // smaller under L0 (L0 keeps some memory): L1's l1_guest_size says.
      const l1Base = depth2.machine.memory.readU32(symbol(l0, 'l0_guest_base')) >>> 0;
      const l2RamSize = depth2.machine.memory.readU32(l1Base + symbol(l1, 'l1_guest_size')) >>> 0;
      const l2RamSizeBare = l1Word(depth1.machine, 'l1_guest_size');
      expect(depth2.console).toBe(depth1.console.replace(hex(l2RamSizeBare), hex(l2RamSize)));
      expect(depth2.result.status).toBe(depth1.result.status);
      expect(depth2.result.exitCode).toBe(depth1.result.exitCode);
    });
  }
});

describe('what an L2 exit costs L1 at depth 2: its VMCS accesses become traps to L0', () => {
  /** L1 -> L0 traps per L2 exit, by difference between N and 2N iterations. */
  function trapsPerIteration(workload: string, shadowing: boolean): Record<string, number> {
    const table = (iterations: number) => exitTable(underL0(program(`guests/workloads/${workload}.s`), { iterations, shadowing }).machine);
    // 10 and 20: the same number of digits printed at the end, so the
    // same I/O exits. The difference is 10 round trips, each of which must
    // cost the same whole number of traps.
    const N = 10;
    const [n, twice] = [table(N), table(2 * N)];
    const per: Record<string, number> = {};
    for (const key of new Set([...Object.keys(n), ...Object.keys(twice)])) {
      const d = ((twice[key] ?? 0) - (n[key] ?? 0)) / N;
      if (d) per[key] = d;
    }
    return per;
  }

  for (const [workload, reason] of [
    ['cpuid', 'CPUID'],
    ['vmcall', 'VMCALL'],
  ] as const) {
    it(`an L2 ${reason}: 6 VMREAD, 1 VMWRITE and the VMRESUME trap; with shadowing only the VMRESUME`, () => {
      expect(trapsPerIteration(workload, false)).toEqual({
        [`L2->L0 ${reason}`]: 1,
        [`L2->L1 ${reason}`]: 1,
        'L1->L0 VMREAD': 6,
        'L1->L0 VMWRITE': 1,
        'L1->L0 VMRESUME': 1,
      });
      // Every field of L1's exit path is in L0's shadowed set (docs/vmx.md).
      expect(trapsPerIteration(workload, true)).toEqual({
        [`L2->L0 ${reason}`]: 1,
        [`L2->L1 ${reason}`]: 1,
        'L1->L0 VMRESUME': 1,
      });
    });
  }

  it('every exit kind: the same accesses as at depth 1, each one an L1 -> L0 trap', () => {
    const VCPU_EXIT_REASON = Number(
      /^VCPU_EXIT_REASON\s+equ\s+(\S+)/m.exec(readFileSync(join(PROJECT_ROOT, 'guests/include/hypervisor.inc'), 'utf8'))![1],
    );
    for (const guest of [l1Test('busy-ticks'), l1Test('pending-hlt'), program('guests/examples/timer.s')]) {
      let launched = false;
      let reads = 0;
      let writes = 0;
      let executedReads = 0;
      let executedWrites = 0;
      const seen: Record<string, Set<string>> = {};
      const { machine } = underL0(guest, {
        hook: (m) => {
          const cpu = m.cpu;
          if (!cpu.vmx.nonRoot || cpu.guestLevel !== 1) return; // L1 runs as L0's guest
          const base = m.memory.readU32(symbol(l0, 'l0_guest_base')) >>> 0;
          const op = m.memory.words[(base + cpu.eip) >>> 2] & 0xff;
          if (VMREAD.includes(op)) (reads++, executedReads++);
          if (VMWRITE.includes(op)) (writes++, executedWrites++);
          if (op === VMRESUME && launched) {
            const reason = EXIT_REASON_NAMES[m.memory.readU32(base + symbol(l1, 'l1_vcpu') + VCPU_EXIT_REASON) & 0xffff];
            (seen[reason] ??= new Set()).add(`${reads} vmread, ${writes} vmwrite`);
          }
          if (op === VMLAUNCH || op === VMRESUME) {
            launched = true;
            reads = writes = 0;
          }
        },
      });
      // Timing differs at depth 2 (exits take longer, so ticks find the
      // guest in other states), but every exit costs what the table says.
      for (const [reason, costs] of Object.entries(seen)) {
        expect(TABLE[reason], reason).toEqual(expect.arrayContaining([...costs]));
      }
      const exits = exitTable(machine);
      expect(exits['L1->L0 VMREAD']).toBe(executedReads);
      expect(exits['L1->L0 VMWRITE']).toBe(executedWrites);
    }
  });
});

describe('depth 3 under L0: L0 -> L1 -> L1 -> workload', () => {
  it('the inner L1 finds no VMX (the outer L1 offers none) and stops with 0x70, through the outer L1 and L0', () => {
    const workload = program('guests/workloads/cpuid.s');
    const { result, console, machine } = run((m) => m.loadProgram(l0, [l1, l1, workload], { depth: 3 }));
    expect(console).toBe('L1: this CPU has no VMX (CPUID.1:ECX bit 5 is clear)\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.NO_VMX });
    const exits = exitTable(machine);
    // The inner L1 runs as L2: its one cpuid and its report's port writes
    // trap to L0, which reflects them to the outer L1.
    expect(exits['L2->L1 CPUID']).toBe(1);
    expect(exits['L2->L1 IO_INSTRUCTION']).toBe(console.length + 1);
    expect(Object.keys(exits).filter((k) => k.startsWith('L2->L1')).sort()).toEqual(['L2->L1 CPUID', 'L2->L1 IO_INSTRUCTION']);
  });
});
