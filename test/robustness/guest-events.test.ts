// Guest events the hypervisors and the run loop must handle as events, in
// every mode: a triple fault and an exception exit in hw mode stop the
// interpreter at the exit and honor the budget; invept reaches the thread
// that runs the guest; rdtreg/wrtreg in a guest that is not a hypervisor
// give #UD; a guest timer on an exception vector reaches the guest.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSource, type Program } from '../../src/asm/index.ts';
import { imageCache } from '../../src/machine/image-cache.ts';
import type { Mode } from '../../src/machine/bootinfo.ts';
import { buildMachine, hypervisorsFor, IMPLEMENTED_MODES, INCLUDE_DIR } from '../../src/machine/scenario.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';

const SUITE = join(PROJECT_ROOT, 'guests/tests/vmx');
const assemble = (source: string): Program => assembleSource(source, 'guest.s', { includePaths: [INCLUDE_DIR] });
const HYPERVISORS = hypervisorsFor(2);
const [L0] = HYPERVISORS;

function run(workload: Program, depth: number, mode: Mode, maxInstructions = 30_000_000) {
  const machine = buildMachine({ workload, depth, mode }, HYPERVISORS);
  const result = machine.run({ maxInstructions });
  return { machine, result, console: machine.serial.text() };
}

const DEPTHS = [1, 2];

describe('a triple fault in the guest', () => {
  const ud2 = assemble('_start:\n    ud2');
  for (const mode of IMPLEMENTED_MODES) {
    for (const depth of DEPTHS) {
      it(`${mode}, depth ${depth}: its hypervisor reports it and the run ends with 125, within the budget`, () => {
        // Before, in hw mode the faulting thread stalled at its exit but the
        // interpreter loop went on running it, past any budget.
        const { machine, result, console } = run(ud2, depth, mode, 2_000_000);
        expect(result).toMatchObject({ status: 'exited', exitCode: 125 });
        expect(console).toBe(`L${depth - 1}: guest triple fault at guest eip 0x0\n`);
        expect(machine.core.instructions).toBeLessThan(2_000_000);
      });
    }
  }
});

describe('a budget ends a guest that faults at every instruction', () => {
  // The handler of #UD is a ud2 too: each fault delivers and faults again.
  const loop = assemble(`_start:
    lidt [idt]
    ud2
handler:
    ud2
idt: dd table, 7
table: times 7 dd handler`);
  for (const mode of IMPLEMENTED_MODES) {
    for (const depth of DEPTHS) {
      it(`${mode}, depth ${depth}`, () => {
        // Past the boot of the hypervisors (about 480,000 instructions at depth 2).
        const budget = depth === 1 ? 200_000 : 600_000;
        const { machine, result } = run(loop, depth, mode, budget);
        expect(result.status).toBe('budget');
        expect(machine.core.instructions).toBeGreaterThanOrEqual(budget);
        expect(machine.core.instructions).toBeLessThan(budget + 1000);
        // The guest got to its loop: the budget ended that, not the boot.
        expect(machine.stats().levels[`L${depth}`].instructions).toBeGreaterThan(1000);
      });
    }
  }
});

describe('rdtreg and wrtreg in a guest that is not a hypervisor', () => {
  // Each raises #UD; the handler prints U and goes on after it.
  const guest = assemble(`%include "ports.inc"
_start:
    lidt [idt]
    xor ecx, ecx
    mov esi, after_rdtreg
    rdtreg eax, ecx
after_rdtreg:
    mov esi, after_wrtreg
    wrtreg ecx, eax
after_wrtreg:
    xor eax, eax
    out PORT_DEBUG_EXIT, eax
ud_handler:
    mov eax, 'U'
    out PORT_SERIAL_DATA, eax
    mov [esp], esi
    iret
idt: dd table, 7
table: times 6 dd 0
    dd ud_handler`);
  for (const mode of IMPLEMENTED_MODES) {
    for (const depth of [0, ...DEPTHS]) {
      it(`${mode}, depth ${depth}: #UD, as on a CPU without the thread extension`, () => {
        // Before, in hw mode L0 stopped the run: "unexpected VM exit, reason 80".
        const { result, console } = run(guest, depth, mode);
        expect(console).toBe('UU');
        expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      });
    }
  }
});

describe('invept as L1 under L0 (guests/tests/vmx/ept_invalidation.s)', () => {
  const l1 = imageCache.assemble(join(SUITE, 'ept_invalidation.s'), { includePaths: [INCLUDE_DIR, SUITE] });
  const hello = imageCache.assemble(join(PROJECT_ROOT, 'guests/examples/hello.s'), { includePaths: [INCLUDE_DIR] });
  for (const mode of IMPLEMENTED_MODES) {
    it(`${mode}: a remapped, unmapped or newly writable page is seen by L2 after invept`, () => {
      // The suite's programs assume 4 MiB of RAM from guest-physical 0; L0
      // gives its guest what is above its own memory, 12 MiB here.
      const machine = buildMachine({ workload: hello, depth: 2, mode, ramSize: 16 << 20 }, [L0, l1]);
      const result = machine.run({ maxInstructions: 30_000_000 });
      const console = machine.serial.text();
      expect(console.split('\n').filter((line) => line.startsWith('not ok')), console).toEqual([]);
      expect(console).toMatch(/^1\.\.\d+$/m);
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    });
  }
});

describe('a guest timer on an exception vector', () => {
  // Vector 13 is #GP's: the guest's timer interrupt must reach the guest's
  // handler for 13 as an interrupt, whatever thread its hypervisor takes it on.
  const guest = assemble(`%include "ports.inc"
_start:
    lidt [idt]
    mov eax, 50000
    out PORT_TIMER_PERIOD, eax
    mov eax, 13
    out PORT_TIMER_VECTOR, eax
    in eax, PORT_TIMER_VECTOR
    add eax, '0' - 13
    out PORT_SERIAL_DATA, eax
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
    sti
wait:
    hlt
    jmp wait
tick:
    mov eax, 'T'
    out PORT_SERIAL_DATA, eax
    xor eax, eax
    out PORT_DEBUG_EXIT, eax
idt: dd table, 14
table: times 13 dd 0
    dd tick`);
  for (const mode of IMPLEMENTED_MODES) {
    for (const depth of [0, ...DEPTHS]) {
      it(`${mode}, depth ${depth}: reaches the guest's handler, and the guest reads back its vector`, () => {
        // Before, in sw mode L0's I/O thread took it for an exception in L0.
        const { result, console } = run(guest, depth, mode);
        expect(console).toBe('0T');
        expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      });
    }
  }
});

describe("the virtual NIC's ring completion (guests/include/vio.inc)", () => {
  // vio_ring_complete, called in L0's image with the ring resized under it:
  // the device's head is of the old ring (200 of 256), the ring now has 8
  // descriptors. Before, the walk from the virtual head wrapped at 8 and
  // never met 200: in sw mode L0's I/O thread, which runs the completion
  // while the vCPU's thread resizes, looped for ever.
  const at = (name: string) => L0.symbols.find((s) => s.name === name)!.address;
  const RING_SIZE = 4;
  const RING_HEAD = 8;
  for (const [head, completes] of [[200, false], [8, false], [5, true]] as const) {
    it(`a device head of ${head} in a ring of 8 ${completes ? 'completes to it' : 'completes nothing'}, and the routine returns`, () => {
      const machine = buildMachine({ workload: assemble('hlt'), depth: 1 }, HYPERVISORS);
      const cpu = machine.cpu;
      const ring = at('vio_tx');
      machine.memory.writeU32(ring + RING_SIZE, 8);
      machine.memory.writeU32(ring + RING_HEAD, 0);
      machine.memory.writeU32(at('l0_guest_size'), 1 << 20);
      machine.memory.writeU32(at('l0_guest_base'), 4 << 20);
      // Return to a `hlt` of L0's: the run ends halted there.
      cpu.regs[4] = 0x8000;
      machine.memory.writeU32(0x8000, at('l0_sw_io_vector.stop'));
      cpu.regs[3] = ring;
      cpu.regs[0] = head;
      cpu.eip = at('vio_ring_complete');
      const result = machine.run({ maxInstructions: 100_000 });
      expect(result.status).toBe('halted');
      expect(machine.memory.readU32(ring + RING_HEAD)).toBe(completes ? head : 0);
    });
  }
});
