// The virtual NIC and block device every hypervisor image offers its guest
// (guests/include/vio.inc, through guests/l0/devices.inc and
// guests/l1/devices.inc), at depth 0 (the physical devices), 1 (L0's model
// on the physical devices) and 2 (L1's model on L0's), in every mode.
//
// What is checked: a guest's descriptors and block requests that name
// memory outside its own are refused at every level, complete with the
// error bit as the physical devices report them, send nothing to the peer
// and write nothing next to the guest's memory; good packets and sectors
// make the round trip with the same console output at every depth, the
// completions reaching an L2 guest through two levels of injection; the
// registers read as the physical devices' (defaults, masks, write-only
// ports, a command ignored while busy, a dropped packet); L1 as the
// outermost hypervisor backs its model with the physical devices; and a
// guest that uses no device never activates the model.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Program } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import type { Mode } from '../src/machine/bootinfo.ts';
import { Machine, type RunResult } from '../src/machine/machine.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const INCLUDE = { includePaths: [join(PROJECT_ROOT, 'guests/include')] };
const asm = (path: string): Program => imageCache.assemble(join(PROJECT_ROOT, path), INCLUDE);
const L0 = asm('guests/l0/l0.s');
const L1 = asm('guests/l1/l1.s');
const REFUSE = asm('guests/tests/vio/refuse.s');
const ROUNDTRIP = asm('guests/tests/vio/roundtrip.s');
const REGISTERS = asm('guests/tests/vio/registers.s');
const MODES: readonly Mode[] = ['baseline', 'sw', 'hw'];
const BUDGET = 100_000_000;
const PAGE = 4096;

const symbol = (program: Program, name: string): number => {
  const found = program.symbols.find((s) => s.name === name);
  if (!found) throw new Error(`no symbol ${name}`);
  return found.address;
};

/** A disk of 256 sectors with a known pattern. */
const disk = () => Uint8Array.from({ length: 256 * 512 }, (_, i) => (i * 13 + 7) & 0xff);

interface Run {
  result: RunResult;
  console: string;
  machine: Machine;
  /** The host address and size of the workload's memory (all of RAM at depth 0). */
  region: { base: number; size: number };
  /** The page just below the workload's memory, at the workload's first instruction and at the end. */
  below: { before: Uint8Array; after: Uint8Array } | null;
}

/** Where the workload's memory lies in host-physical memory. */
function workloadRegion(machine: Machine, depth: number): { base: number; size: number } {
  const word = (address: number) => machine.memory.readU32(address) >>> 0;
  if (depth === 0) return { base: 0, size: machine.memory.size };
  const l0Base = word(symbol(L0, 'l0_guest_base'));
  if (depth === 1) return { base: l0Base, size: word(symbol(L0, 'l0_guest_size')) };
  return { base: l0Base + word(l0Base + symbol(L1, 'l1_guest_base')), size: word(l0Base + symbol(L1, 'l1_guest_size')) };
}

/** The workload at `depth` under the bundled hypervisors, as src/machine/scenario.ts
 * builds a machine (a thread per level), with a disk. */
function run(workload: Program, depth: number, mode: Mode, image = disk()): Run {
  const machine = new Machine({
    ramSize: depth > 0 ? 32 << 20 : 16 << 20,
    threads: depth + 1,
    threadExtension: mode === 'hw',
    disk: image,
  });
  const stack = [L0, L1].slice(0, depth);
  machine.loadProgram([...stack, workload][0], [...stack, workload].slice(1), { depth, mode });
  // One instruction at a time up to the workload's first (the page below it
  // then), at full speed from there.
  let before: Uint8Array | null = null;
  if (depth > 0 && machine.runStepped({ maxInstructions: BUDGET, beforeInstruction: (cpu) => cpu.currentLevel === depth }) === null) {
    const { base } = workloadRegion(machine, depth);
    before = machine.memory.bytes.slice(base - PAGE, base);
  }
  const result = machine.run({ maxInstructions: BUDGET });
  const region = workloadRegion(machine, depth);
  return {
    result,
    console: machine.serial.text(),
    machine,
    region,
    below: before ? { before, after: machine.memory.bytes.slice(region.base - PAGE, region.base) } : null,
  };
}

/** A hypervisor's refusal counter (vio_refused): L0's in host memory, L1's in L1's. */
function refused(machine: Machine, level: 0 | 1): number {
  if (level === 0) return machine.memory.readU32(symbol(L0, 'vio_refused'));
  const l0Base = machine.memory.readU32(symbol(L0, 'l0_guest_base'));
  return machine.memory.readU32(l0Base + symbol(L1, 'vio_refused'));
}

const SCENARIOS: [number, Mode][] = [[0, 'baseline'], ...[1, 2].flatMap((depth) => MODES.map((mode): [number, Mode] => [depth, mode]))];

// ---- refusal ----------------------------------------------------------------------------

describe('descriptors and block requests outside the guest are refused at every level', () => {
  const EXPECTED = [
    'tx status: 0x3 0x3 0x3 0x1 0x1 0x1',
    'rx status: 0x3 0x3 0x1, length 16',
    'tx ring outside: head 1',
    'rx ring outside: head 1',
    'block straddling: 0x6',
    'block wrapping: 0x6',
    'block good: 0x2',
    '',
  ].join('\n');

  for (const [depth, mode] of SCENARIOS) {
    it(`depth ${depth}, ${mode}: error status for each, nothing sent, nothing written next to the guest`, () => {
      const r = run(REFUSE, depth, mode);
      expect(r.result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(r.console).toBe(EXPECTED);
      // Only the four good 16-byte packets reached the peer; only the good
      // block request reached the disk.
      expect(r.machine.peer.stats.packets).toBe(4);
      expect(r.machine.peer.stats.bytes).toBe(4 * 16);
      expect(r.machine.block.requests).toBe(1);
      if (depth > 0) {
        // Unchecked, the wrapping receive buffer (0xfffff000) and block
        // buffer (0xffffff00) would land in the page below the guest's memory.
        expect(r.below).not.toBeNull();
        expect(Buffer.from(r.below!.after).equals(Buffer.from(r.below!.before))).toBe(true);
      }
      // 3 transmit and 2 receive descriptors, a descriptor of each ring
      // outside, 2 block requests: the guest's hypervisor refused 9. Under
      // L1, L0 refused L1's poison descriptors too (7), never its block
      // requests (L1 did not pass them on).
      if (depth === 1) expect(refused(r.machine, 0)).toBe(9);
      if (depth === 2) {
        expect(refused(r.machine, 1)).toBe(9);
        expect(refused(r.machine, 0)).toBe(7);
      }
    });
  }
});

// ---- the round trip ---------------------------------------------------------------------

describe('packets to the echo peer and back, sectors to the disk and back', () => {
  const bare = run(ROUNDTRIP, 0, 'baseline');

  it('bare: the physical devices', () => {
    expect(bare.result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(bare.console).toContain('packet 3: 664 bytes echoed\n');
    expect(bare.console).toContain('block read back: status 0x2, 1024 bytes equal\n');
    expect(bare.console.endsWith('done\n')).toBe(true);
  });

  for (const [depth, mode] of SCENARIOS.filter(([d]) => d > 0)) {
    it(`depth ${depth}, ${mode}: the bare console, every packet and sector moved once`, () => {
      const image = disk();
      const r = run(ROUNDTRIP, depth, mode, image);
      expect(r.result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(r.console).toBe(bare.console);
      expect(r.machine.peer.stats.packets).toBe(4);
      expect(r.machine.block.requests).toBe(3);
      // The two sectors written by the guest are on the disk.
      const written = image.subarray(3 * 512, 5 * 512);
      const dword = (i: number) => new DataView(written.buffer, written.byteOffset).getUint32(i * 4, true);
      expect(dword(0)).toBe(0x5a000000);
      expect(dword(255)).toBe(((0x5a000000 + 255 * 4) ^ 255) >>> 0);
      // The guest's own vectors (0x30 NIC, 0x31 block) were delivered to it.
      const { vectors, exits } = r.machine.stats();
      expect(vectors['48']).toBeGreaterThan(0);
      expect(vectors['49']).toBeGreaterThan(0);
      const row = (from: string, to: string, reason: string) =>
        exits.find((e) => e.from === from && e.to === to && e.reason === reason)?.count ?? 0;
      if (depth === 1) {
        // Every device interrupt exits to L0, which injects the guest's vector.
        expect(row('L1', 'L0', 'EXTERNAL_INTERRUPT')).toBeGreaterThan(0);
      } else {
        // Two levels: the physical interrupt exits to L0 (from L2, or from L1
        // waiting for one); L0 completes its model and makes L1's vector
        // pending, which reaches L1 as an exit of L2 (EXTERNAL_INTERRUPT,
        // reflected) or by injection into L1; L1 completes its model and
        // injects L2's vector.
        expect(row('L1', 'L0', 'EXTERNAL_INTERRUPT') + row('L2', 'L0', 'EXTERNAL_INTERRUPT')).toBeGreaterThan(0);
        expect(row('L2', 'L1', 'EXTERNAL_INTERRUPT')).toBeGreaterThan(0);
      }
    });
  }
});

// ---- the registers ---------------------------------------------------------------------

describe('the device registers read as the physical ones at every level', () => {
  const EXPECTED = [
    'nic vector 0x22, block vector 0x21',
    'tx ring reads 0x0',
    'vector 0x1ab reads 0xab',
    'target 99 reads 0x0',
    'sectors 0x100',
    'block done 0x2, cleared 0x0',
    'tx head 0x1, status 0x1, drops 0x1',
    '',
  ].join('\n');

  for (const [depth, mode] of SCENARIOS) {
    it(`depth ${depth}, ${mode}: defaults, masks, a command ignored while busy, a dropped packet`, () => {
      const image = disk();
      const r = run(REGISTERS, depth, mode, image);
      expect(r.result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(r.console).toBe(EXPECTED);
      expect(image).toEqual(disk()); // the write command came while busy
      expect(r.machine.block.requests).toBe(1);
      expect(r.machine.peer.stats.packets).toBe(1);
      expect(r.machine.nic.drops).toBe(1);
    });
  }
});

// ---- L1 as the outermost hypervisor -------------------------------------------------------

describe('other stacks: L1 on the bare machine, L0 under L0', () => {
  for (const [name, program] of [
    ['refuse.s', REFUSE],
    ['roundtrip.s', ROUNDTRIP],
  ] as const) {
    const bare = () => run(program, 0, 'baseline').console;

    it(`${name} under L1 alone: its model on the physical devices`, () => {
      const machine = new Machine({ ramSize: 32 << 20, disk: disk() });
      machine.loadProgram(L1, [program], { depth: 1 });
      expect(machine.run({ maxInstructions: BUDGET })).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(machine.serial.text()).toBe(bare());
      expect(machine.peer.stats.packets).toBe(4);
      if (program === REFUSE) expect(machine.memory.readU32(symbol(L1, 'vio_refused'))).toBe(9);
    });

    it(`${name} under L0 under L0: the inner model on the outer one's`, () => {
      const machine = new Machine({ ramSize: 32 << 20, disk: disk() });
      machine.loadProgram(L0, [L0, program], { depth: 2 });
      expect(machine.run({ maxInstructions: BUDGET })).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(machine.serial.text()).toBe(bare());
      expect(machine.peer.stats.packets).toBe(4);
      if (program === REFUSE) {
        const inner = machine.memory.readU32(symbol(L0, 'l0_guest_base'));
        expect(machine.memory.readU32(inner + symbol(L0, 'vio_refused'))).toBe(9);
      }
    });
  }
});

// ---- no device, no cost -----------------------------------------------------------------

describe('a guest that uses no device', () => {
  for (const depth of [1, 2]) {
    it(`depth ${depth}: the model stays inactive (timer.s)`, () => {
      const r = run(asm('guests/examples/timer.s'), depth, 'baseline');
      expect(r.result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(r.machine.memory.readU32(symbol(L0, 'vio_active'))).toBe(0);
      // handle_external_interrupt still ends in `jmp hv_irr_set`.
      const site = symbol(L0, 'handle_external_interrupt.deliver');
      expect(r.machine.memory.readU32(site + 4) | 0).toBe(symbol(L0, 'hv_irr_set') - (site + 8));
    });
  }
});
