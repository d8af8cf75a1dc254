// Depth 1: the L0 hypervisor (guests/l0/l0.s) running one guest under VMX.
//
// What is checked: every example prints the same and ends the same under L0
// as bare, executing the same guest instructions; the exits L0 takes are the
// ones the guest's instructions and interrupts cause, counted against the
// bare run rather than against constants; what the guest sees (CPUID,
// hypercalls, no VMX, its boot-info block); interrupt injection (waking a
// halted guest, interrupting a running one, the sti shadow, priority);
// isolation (accesses beyond the guest's memory and ports it was not given
// stop the run with L0's report and status, and leave L0's memory as it was);
// and the VMREAD/VMWRITE cost of each kind of exit, which the guests/l0
// comments document.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSource, type Program } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import type { Cpu } from '../src/cpu/cpu.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Machine, type RunResult } from '../src/machine/machine.ts';
import { EXIT_REASON_NAMES } from '../src/cpu/vmx/exit-reasons.ts';
import { F } from '../src/cpu/vmx/vmcs.ts';
import { executed, exitCounts, STATUS, symbol } from './reference/hypervisors.ts';

const INCLUDE = [join(PROJECT_ROOT, 'guests/include')];
const EXAMPLES = join(PROJECT_ROOT, 'guests/examples');
const L0_TESTS = join(PROJECT_ROOT, 'guests/l0/tests');
const RAM = 1 << 20;
const BUDGET = 5_000_000;

const l0 = imageCache.assemble(join(PROJECT_ROOT, 'guests/l0/l0.s'), { includePaths: INCLUDE });


/** The stop statuses, from the table in hypervisor.inc (one place for the fact). */

const example = (name: string): Program => imageCache.assemble(join(EXAMPLES, `${name}.s`), { includePaths: INCLUDE });
const l0Test = (name: string, defines?: Record<string, number | string>): Program =>
  imageCache.assemble(join(L0_TESTS, `${name}.s`), { includePaths: INCLUDE, defines });
const inline = (source: string): Program => assembleSource(source, 'inline.s', { includePaths: INCLUDE });

interface Run {
  result: RunResult;
  console: string;
  machine: Machine;
}

function bare(guest: Program): Run {
  const machine = new Machine({ ramSize: RAM });
  machine.loadProgram(guest);
  const result = machine.run({ maxInstructions: BUDGET });
  return { result, console: machine.serial.text(), machine };
}

function underL0(guest: Program, onInstruction?: (cpu: Cpu, machine: Machine) => void, modules: Program[] = []): Run {
  const machine = new Machine({ ramSize: RAM });
  machine.loadProgram(l0, [guest, ...modules], { depth: 1 + modules.length });
  const result = machine.run({ maxInstructions: BUDGET, onInstruction: onInstruction && ((cpu) => onInstruction(cpu, machine)) });
  return { result, console: machine.serial.text(), machine };
}

/** Exit counts by reason; every exit must go from L1 to L0. */

/** Instructions of the given mnemonics a run executed (all forms). */

/** External interrupts delivered (vectors 32 and up). */
function interruptsDelivered(machine: Machine): number {
  let count = 0;
  machine.cpu.vectorCounts.forEach((n, vector) => {
    if (vector >= 32) count += n;
  });
  return count;
}

const l0Word = (machine: Machine, name: string): number => machine.memory.readU32(symbol(l0, name)) >>> 0;

// ---- the examples -----------------------------------------------------------------

describe('L0 runs the examples as the bare machine does', () => {
  for (const name of ['hello', 'fibonacci', 'sieve', 'crc32', 'sort', 'timer']) {
    it(`${name}: same console, same ending, same guest instructions; one exit per trapping instruction or interrupt`, () => {
      const guest = example(name);
      const depth0 = bare(guest);
      const depth1 = underL0(guest);
      expect(depth0.console).toBe(readFileSync(join(EXAMPLES, `${name}.expected`), 'utf8'));
      expect(depth1.console).toBe(depth0.console);
      expect(depth1.result.status).toBe(depth0.result.status);
      expect(depth1.result.exitCode).toBe(depth0.result.exitCode);
      // The guest level executes exactly what the bare program executed.
      expect(depth1.machine.stats().levels.L1.instructions).toBe(depth0.machine.cpu.instructions);

      const exits = exitCounts(depth1.machine);
      const io = executed(depth0.machine, 'in', 'out');
      const hlt = executed(depth0.machine, 'hlt');
      const interrupts = interruptsDelivered(depth0.machine);
      expect(exits.IO_INSTRUCTION).toBe(io);
      expect(exits.HLT ?? 0).toBe(hlt);
      expect(exits.EXTERNAL_INTERRUPT ?? 0).toBe(interrupts);
      // Nothing else traps in these programs (the timer only ever wakes a
      // halted guest, which can always take the interrupt at once).
      expect(Object.keys(exits).sort()).toEqual(
        ['IO_INSTRUCTION', ...(hlt ? ['HLT'] : []), ...(interrupts ? ['EXTERNAL_INTERRUPT'] : [])].sort(),
      );
      if (name === 'timer') expect(depth1.machine.cpu.vectorCounts[0x20]).toBe(5);
    });
  }
});

// ---- what the guest sees ---------------------------------------------------------------

describe('what L0 shows its guest', () => {
  it('CPUID: no VMX, the hypervisor bit, the signature leaf; one CPUID exit per cpuid', () => {
    const guest = l0Test('cpuid');
    const depth0 = bare(guest);
    const depth1 = underL0(guest);
    expect(depth0.console).toBe(
      'vendor: smtnest CPU \nvmx: 1\nhypervisor: 0\nleaf 0x40000000: eax 0x0 signature ""\n',
    );
    expect(depth1.console).toBe(
      'vendor: smtnest CPU \nvmx: 0\nhypervisor: 1\nleaf 0x40000000: eax 0x40000000 signature "smtnestL0HV "\n',
    );
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(exitCounts(depth1.machine).CPUID).toBe(executed(depth0.machine, 'cpuid'));
    expect(executed(depth0.machine, 'cpuid')).toBe(4);
  });

  it('hypercalls: 0 is a no-op returning 0, an unknown number returns -1; one VMCALL exit each', () => {
    const { result, console, machine } = underL0(l0Test('hypercall'));
    expect(console).toBe('hypercall 7: 0xffffffff\nhypercall 0: 0 after 100 rounds\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(exitCounts(machine).VMCALL).toBe(101);
  });

  it('no VMX: VMX instructions raise #UD in the guest, VMX MSRs #GP; the TSC reads', () => {
    const { result, console, machine } = underL0(l0Test('no-vmx'));
    expect(console).toBe('vmxon: #UD\nvmread: #UD\nvmcall 99: 0xffffffff\nrdmsr 0x480: #GP\nrdmsr 0x10: ok\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(exitCounts(machine)).toMatchObject({ VMON: 1, VMREAD: 1, VMCALL: 1, MSR_READ: 2 });
    expect(machine.cpu.vectorCounts[6]).toBe(2);
    expect(machine.cpu.vectorCounts[13]).toBe(1);
  });

  it('keeps every guest register across exits (the save area), esp included', () => {
    // Each register gets a distinct value; an exit (out) in between; then
    // every register is compared. An I/O instruction may name esp as its
    // data register too: L0 reads and writes it in the VMCS, not the save area.
    const regs = ['ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
    const set = regs.map((r, i) => `    mov ${r}, ${0x1000 + i}`).join('\n');
    const check = regs.map((r, i) => `    cmp ${r}, ${0x1000 + i}\n    jne bad`).join('\n');
    const guest = inline(`%include "console.inc"
_start:
${set}
    mov eax, 'A'
    out PORT_SERIAL_DATA, eax
${check}
    cmp eax, 'A'
    jne bad
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
    const depth1 = underL0(guest);
    expect(depth0.console).toBe('AB\nkept\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
  });

  it("writes the guest's boot-info block: its memory, one level less, the other modules copied in", () => {
    const guest = example('hello');
    const extra = inline('org 0x2000\n_start:\n    hlt\n    dd 0x11223344, 0x55667788\n');
    const machine = new Machine({ ramSize: RAM });
    machine.loadProgram(l0, [guest, extra], { depth: 2, iterations: 7, mode: 'sw', shadowing: true });
    const result = machine.run({ maxInstructions: BUDGET });
    expect(machine.serial.text()).toBe('Hello from smtnest!\n');
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });

    const base = l0Word(machine, 'l0_guest_base');
    const size = l0Word(machine, 'l0_guest_size');
    expect(base % 4096).toBe(0);
    expect(base + size).toBe(RAM);
    // The guest's block is at the first page after its image, as the machine places one.
    const blockGpa = Math.ceil((guest.origin + guest.bytes.length) / 4096) * 4096;
    expect(l0Word(machine, 'l0_guest_bootinfo')).toBe(blockGpa);
    const word = (gpa: number) => machine.memory.readU32(base + gpa) >>> 0;
    expect(word(blockGpa)).toBe(0x49424e53); // "SNBI"
    expect(word(blockGpa + 4)).toBe(1);
    expect(word(blockGpa + 8)).toBe(size);
    expect(word(blockGpa + 12)).toBe(1); // threads
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

// ---- interrupts and halting -----------------------------------------------------------------

describe('interrupts reach the guest as on the bare machine', () => {
  it('a tick while the guest computes is injected at once', () => {
    const guest = l0Test('busy-timer');
    const depth0 = bare(guest);
    const depth1 = underL0(guest);
    expect(depth0.console).toBe('3 ticks while busy\n');
    expect(depth1.console).toBe(depth0.console);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 0 });
    const exits = exitCounts(depth1.machine);
    expect(exits.EXTERNAL_INTERRUPT).toBe(interruptsDelivered(depth0.machine));
    expect(exits.INTERRUPT_WINDOW).toBeUndefined();
    expect(exits.HLT).toBeUndefined();
  });

  it('an interrupt held off by IF is taken after the sti shadow, through an interrupt window', () => {
    const guest = l0Test('interrupt-window');
    const depth0 = bare(guest);
    const depth1 = underL0(guest);
    expect(depth0.console).toBe('interrupt after the shadow: yes\nebx in the handler: 1\n');
    expect(depth1.console).toBe(depth0.console);
    expect(exitCounts(depth1.machine)).toMatchObject({ EXTERNAL_INTERRUPT: 1, INTERRUPT_WINDOW: 1 });
  });

  it('two pending vectors are delivered highest first, one per window', () => {
    const guest = l0Test('interrupt-priority');
    const depth0 = bare(guest);
    const depth1 = underL0(guest);
    expect(depth0.console).toBe('vector 0x30\nvector 0x21\ndone\n');
    expect(depth1.console).toBe(depth0.console);
    expect(exitCounts(depth1.machine)).toMatchObject({ EXTERNAL_INTERRUPT: 2, INTERRUPT_WINDOW: 2 });
  });

  it('hlt with interrupts off ends the run as halted, as bare', () => {
    const guest = inline('%include "console.inc"\n_start:\n    puts msg\n    cli\n    hlt\nmsg: db "bye", 10, 0\n');
    const depth0 = bare(guest);
    const depth1 = underL0(guest);
    expect(depth0.result).toMatchObject({ status: 'halted', exitCode: 0 });
    expect(depth1.result).toMatchObject({ status: 'halted', exitCode: 0 });
    expect(depth1.console).toBe('bye\n');
    expect(exitCounts(depth1.machine).HLT).toBe(1);
  });

  it('hlt with interrupts on and no device to raise one ends as halted, as bare', () => {
    const guest = inline('_start:\n    sti\n    hlt\n    ud2\n');
    expect(bare(guest).result).toMatchObject({ status: 'halted', exitCode: 0 });
    const depth1 = underL0(guest);
    expect(depth1.result).toMatchObject({ status: 'halted', exitCode: 0 });
    expect(depth1.console).toBe('');
  });

  it('a guest triple fault ends the run with the bare machine status 125', () => {
    const guest = inline('_start:\n    nop\nfault:\n    ud2\n');
    expect(bare(guest).result).toMatchObject({ status: 'triple-fault', exitCode: 125 });
    const depth1 = underL0(guest);
    expect(STATUS.TRIPLE_FAULT).toBe(125);
    expect(depth1.result).toMatchObject({ status: 'exited', exitCode: 125 });
    expect(depth1.console).toBe(`L0: guest triple fault at guest eip 0x${symbol(guest, 'fault').toString(16)}\n`);
  });
});

// ---- isolation -----------------------------------------------------------------------------------

/** Runs `guest` under L0 with a snapshot of L0's memory (everything below
 * GUEST_BASE) taken at the first guest instruction; returns the run and the
 * addresses that differ at the end, outside L0's stack and vCPU (which every
 * exit writes). */
function isolationRun(guest: Program): Run & { changed: number[]; guestBase: number } {
  const machine = new Machine({ ramSize: RAM });
  machine.loadProgram(l0, [guest], { depth: 1 });
  // One instruction at a time up to the guest's first, at full speed from there.
  if (machine.runStepped({ maxInstructions: BUDGET, beforeInstruction: (cpu) => cpu.vmx.nonRoot }) !== null) throw new Error('the guest never ran');
  const before = machine.memory.bytes.slice(0, l0Word(machine, 'l0_guest_base'));
  const result = machine.run({ maxInstructions: BUDGET });
  const run: Run = { result, console: machine.serial.text(), machine };
  const mutableStart = symbol(l0, 'l0_stack');
  const mutableEnd = symbol(l0, 'l0_end');
  const after = run.machine.memory.bytes;
  const changed: number[] = [];
  for (let a = 0; a < before.length; a++) {
    if (a >= mutableStart && a < mutableEnd) continue;
    if (after[a] !== before[a]) changed.push(a);
  }
  return { ...run, changed, guestBase: before.length };
}

describe("a guest cannot reach L0's memory or devices it was not given", () => {
  const hex = (n: number) => `0x${n.toString(16)}`;
  const END = -1; // the first byte past the guest's memory: its RAM_SIZE

  for (const [access, defines, target] of [
    ['read', { READ: 1 }, END],
    ['write', { WRITE: 1 }, END],
    ['fetch', { FETCH: 1 }, END],
    ['write', { WRITE: 1, TARGET: '0xfffff000' }, 0xfffff000],
  ] as const) {
    it(`a ${access} at guest-physical ${target === END ? 'RAM_SIZE' : hex(target)} stops the run`, () => {
      const guest = l0Test('outside-memory', defines);
      const run = isolationRun(guest);
      const gpa = target === END ? RAM - run.guestBase : target;
      const eip = access === 'fetch' ? gpa : symbol(guest, 'access');
      expect(run.console).toBe(`L0: guest ${access} at guest-physical ${hex(gpa)} outside its memory, at guest eip ${hex(eip)}\n`);
      expect(run.result).toMatchObject({ status: 'exited', exitCode: STATUS.EPT_VIOLATION });
      expect(exitCounts(run.machine)).toEqual({ EPT_VIOLATION: 1 });
      expect(run.changed).toEqual([]);
    });
  }

  for (const [direction, defines, port] of [
    ['out', {}, 0x80],
    ['in', { IN: 1, PORT: '0x1234' }, 0x1234],
    ['out', { PORT: '0x510' }, 0x510], // L0's tracepoint: the hypervisor's, not the guest's
  ] as const) {
    it(`${direction} port ${hex(port)} stops the run`, () => {
      const guest = l0Test('foreign-port', defines);
      expect(bare(guest).console).toBe('still running\n');
      const run = isolationRun(guest);
      expect(run.console).toBe(
        `L0: guest ${direction} port ${hex(port)}: not a device this guest was given, at guest eip ${hex(symbol(guest, 'access'))}\n`,
      );
      expect(run.result).toMatchObject({ status: 'exited', exitCode: STATUS.BAD_PORT });
      expect(run.changed).toEqual([]);
    });
  }

  it('the EPT does not depend on RAM being zero at boot', () => {
    // All RAM above the modules (where L0 puts its EPT and the guest's
    // memory) filled with what reads as EPT entries mapping L0's page 0x1000
    // readable, writable and executable.
    const guest = l0Test('outside-memory', { WRITE: 1 });
    const machine = new Machine({ ramSize: RAM });
    machine.loadProgram(l0, [guest], { depth: 1 });
    const info = machine.bootInfo!;
    const free = Math.ceil((info.modules[0].address + info.modules[0].size) / 4096) * 4096;
    new DataView(machine.memory.bytes.buffer).setUint32(free, 0x1007, true);
    for (let a = free + 4; a < RAM; a += 4) machine.memory.bytes.copyWithin(a, free, free + 4);
    const result = machine.run({ maxInstructions: BUDGET });
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.EPT_VIOLATION });
    expect(machine.serial.text()).toMatch(/^L0: guest write at guest-physical 0x[0-9a-f]+ outside its memory/);
  });

  it('writing all of its own memory lands in its own memory, whatever the addresses', () => {
    const guest = l0Test('own-memory');
    const run = isolationRun(guest);
    expect(run.console).toBe('filled and checked\n');
    expect(run.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(run.changed).toEqual([]);
    // Guest-physical image_end is host GUEST_BASE + image_end; the same
    // number as a host address is L0's (unchanged, checked above).
    const start = symbol(guest, 'image_end');
    expect(start).toBeLessThan(run.guestBase);
    expect(run.machine.memory.readU32(run.guestBase + start) >>> 0).toBe(0xa5a5a5a5);
    expect(run.machine.memory.readU32(RAM - 260) >>> 0).toBe(0xa5a5a5a5);
  });
});

// ---- L0's own checks ------------------------------------------------------------------------------

describe('L0 refuses what it cannot run', () => {
  it('a boot-info block without a guest module', () => {
    const machine = new Machine({ ramSize: RAM });
    machine.loadProgram(l0, [], { depth: 1 });
    const result = machine.run({ maxInstructions: BUDGET });
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.BAD_BOOTINFO });
    expect(machine.serial.text()).toMatch(/^L0: bad boot-info block .* at 0x[0-9a-f]+\n$/);
  });

  it('a guest whose image does not fit in the memory left for it', () => {
    const guest = inline(`org ${RAM - 0x1000}\n_start:\n    hlt\n`);
    const { result, console } = underL0(guest);
    expect(result).toMatchObject({ status: 'exited', exitCode: STATUS.NO_ROOM });
    expect(console).toMatch(/^L0: the guest's memory \(0x[0-9a-f]+ bytes\) cannot hold its image, boot-info block and modules\n$/);
  });
});

// ---- the cost of each exit in VMCS accesses ----------------------------------------------------

/** vmread and vmwrite L0 executes per exit, by exit reason: counted from
 * one VM entry to the next, after the first (vmlaunch ends L0's setup). */
function vmcsAccessesPerExit(guest: Program): Record<string, string[]> {
  const VMREAD = [0xd5, 0xd6];
  const VMWRITE = [0xd7, 0xd8];
  const VMLAUNCH = 0xd9;
  const VMRESUME = 0xda;
  let launched = false;
  let reads = 0;
  let writes = 0;
  const seen: Record<string, Set<string>> = {};
  underL0(guest, (cpu, machine) => {
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
  });
  return Object.fromEntries(Object.entries(seen).map(([reason, costs]) => [reason, [...costs].sort()]));
}

describe('VMCS accesses per exit (what the exits.inc comments state)', () => {
  it('CPUID, VMCALL and I/O: the exit reason, their own reads, the skip of the instruction', () => {
    expect(vmcsAccessesPerExit(l0Test('cpuid'))).toEqual({
      CPUID: ['4 vmread, 1 vmwrite'],
      IO_INSTRUCTION: ['6 vmread, 1 vmwrite'],
    });
    expect(vmcsAccessesPerExit(l0Test('hypercall'))).toMatchObject({ VMCALL: ['4 vmread, 1 vmwrite'] });
  });

  it('HLT, and a tick that wakes the halted guest', () => {
    expect(vmcsAccessesPerExit(example('timer'))).toEqual({
      // The first hlt follows the sti that enabled interrupts: it exits in
      // the sti shadow, so the skip also clears blocking by sti.
      HLT: ['5 vmread, 2 vmwrite', '5 vmread, 3 vmwrite'],
      EXTERNAL_INTERRUPT: ['2 vmread, 2 vmwrite'],
      IO_INSTRUCTION: ['6 vmread, 1 vmwrite'],
    });
  });

  it('a tick while the guest runs, and ticks that must wait for a window', () => {
    expect(vmcsAccessesPerExit(l0Test('busy-timer'))).toMatchObject({ EXTERNAL_INTERRUPT: ['4 vmread, 1 vmwrite'] });
    expect(vmcsAccessesPerExit(l0Test('interrupt-priority'))).toEqual({
      // IF clear: one vmread says so, one vmwrite opens the window (already
      // open for the second tick); I/O exits meanwhile check IF again.
      EXTERNAL_INTERRUPT: ['3 vmread, 0 vmwrite', '3 vmread, 1 vmwrite'],
      IO_INSTRUCTION: ['6 vmread, 1 vmwrite', '7 vmread, 1 vmwrite'],
      // Inject; close the window after the last one.
      INTERRUPT_WINDOW: ['1 vmread, 1 vmwrite', '1 vmread, 2 vmwrite'],
    });
  });
});
