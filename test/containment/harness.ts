// The containment suite's harness: runs a hostile guest of
// guests/tests/containment/ as the workload at depth 1 (under L0) and 2
// (under L1 under L0) in every mode, and checks the three things
// docs/security.md promises: the attempt failed (the guest's console or
// its hypervisor's report says how), the victims' memory is what a benign
// run leaves (the hypervisors' code and read-only data, their EPTs, the
// images they were given), and the hypervisor kept working (it handled
// the guest's last exits, or reported and stopped it with its documented
// status), with counters that add up.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Program } from '../../src/asm/index.ts';
import { imageCache } from '../../src/machine/image-cache.ts';
import type { Mode } from '../../src/machine/bootinfo.ts';
import type { Machine } from '../../src/machine/machine.ts';
import { buildMachine, hypervisorsFor, IMPLEMENTED_MODES, INCLUDE_DIR } from '../../src/machine/scenario.ts';
import { counterDiscrepancies } from '../../src/machine/stats.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';

const DIR = join(PROJECT_ROOT, 'guests/tests/containment');
const [L0, L1] = hypervisorsFor(2);
/** Enough for L1 and its guest; less RAM boots faster (fewer EPT entries to write). */
const RAM = 4 << 20;
const BUDGET = 20_000_000;
const PAGE = 4096;

const DEPTHS = [1, 2] as const;

/** How an attack is contained: its hypervisor stops the guest with a
 * status and a report line, or the guest goes on (after the console lines
 * given: a fault, a refusal) to show its hypervisor still works. */
export type Containment =
  | { stopped: number; report: RegExp }
  | { continues: string[] };

export const HV_STATUS_BAD_PORT = 0x75;
export const HV_STATUS_EPT_VIOLATION = 0x76;
export const outsideMemory: Containment = {
  stopped: HV_STATUS_EPT_VIOLATION,
  report: /^guest (read|write|fetch) at guest-physical 0x[0-9a-f]+ outside its memory, at guest eip 0x[0-9a-f]+$/,
};
export const badPort: Containment = {
  stopped: HV_STATUS_BAD_PORT,
  report: /^guest (in|out) port 0x[0-9a-f]+: not a device this guest was given, at guest eip 0x[0-9a-f]+$/,
};

const symbol = (program: Program, name: string): number => {
  const found = program.symbols.find((s) => s.name === name);
  if (!found) throw new Error(`no symbol ${name}`);
  return found.address;
};

export const assembleAttack = (name: string): Program =>
  imageCache.assemble(join(DIR, `${name}.s`), { includePaths: [INCLUDE_DIR, DIR] });

interface Region {
  name: string;
  start: number;
  end: number;
  /** What the range must hold: these bytes, or (none given) what the benign run leaves there. */
  image?: Uint8Array;
  /** Static branches the device model may patch in it when the guest first
   * uses a device (guests/include/vio.inc, vio_static_branch): each site
   * may also hold that branch. */
  branches?: StaticBranch[];
}

interface StaticBranch {
  at: number;
  opcode: number;
  target: number;
}

/** VIO_OPCODE_CALL and VIO_OPCODE_JMP (guests/include/vio.inc). */
const CALL = 0xa0;
const JMP = 0xa3;

/** The 8 bytes of a patched static branch: the opcode dword, then rel32 to its end. */
function branchBytes(branch: StaticBranch): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, branch.opcode, true);
  view.setInt32(4, branch.target - (branch.at + 8), true);
  return bytes;
}

/** What the attacker must not change: host-physical ranges of the levels
 * below it. The images a hypervisor was given (its modules) must still be
 * those images; its code, read-only data and EPT what a benign run leaves. */
function victims(machine: Machine, depth: number, workload: Program): Region[] {
  const images = [...[L1].slice(0, depth - 1), workload];
  const read = (address: number) => machine.memory.readU32(address);
  const ept = (name: string, directory: number, tables: number) => ({ name, start: directory, end: directory + (tables + 1) * PAGE });
  const regions: Region[] = [
    {
      name: "L0's code and read-only data",
      start: L0.origin,
      end: symbol(L0, 'l0_vmxon_region'),
      branches: [{ at: symbol(L0, 'handle_external_interrupt.deliver'), opcode: JMP, target: symbol(L0, 'vio_external_interrupt') }],
    },
    ept("L0's EPT", read(symbol(L0, 'l0_ept_directory')), read(symbol(L0, 'l0_ept_tables'))),
    ...machine.bootInfo!.modules.map((m, i) => ({ name: `module ${i} as L0 was given it`, start: m.address, end: m.address + m.size, image: images[i].bytes })),
  ];
  if (depth === 2) {
    const base = read(symbol(L0, 'l0_guest_base'));
    const l1 = (name: string) => base + symbol(L1, name);
    regions.push(
      {
        name: "L1's code and read-only data",
        start: base + L1.origin,
        end: l1('l1_vmxon_region'),
        branches: ['handle_external_interrupt.deliver', 'l1_irq_entry.deliver'].map((site) => ({
          at: l1(site),
          opcode: CALL,
          target: l1('vio_external_interrupt'),
        })),
      },
      ept("L1's EPT", base + read(l1('l1_ept_directory')), read(l1('l1_ept_tables'))),
    );
    const block = base + read(symbol(L0, 'l0_guest_bootinfo'));
    const modules = read(block + 32);
    for (let i = 0; i < modules; i++) {
      const start = base + read(block + 36 + 16 * i);
      regions.push({ name: `module ${i} as L1 was given it`, start, end: start + read(block + 40 + 16 * i), image: workload.bytes });
    }
  }
  return regions;
}

function run(workload: Program, depth: number, mode: Mode) {
  const machine = buildMachine({ workload, depth, mode, ramSize: RAM }, [L0, L1]);
  const result = machine.run({ maxInstructions: BUDGET });
  return { machine, result, console: machine.serial.text() };
}

const benign = assembleAttack('benign');
const references = new Map<string, Machine>();

/** The victims' memory after the benign run in this mode and at this depth. */
function reference(depth: number, mode: Mode) {
  const key = `${mode}:${depth}`;
  let found = references.get(key);
  if (!found) {
    const { machine, result, console } = run(benign, depth, mode);
    expect(result, console).toMatchObject({ status: 'exited', exitCode: 0 });
    found = machine;
    references.set(key, found);
  }
  return found;
}

/** Runs attack `name` at `depth` in `mode` and checks it was contained as `containment` says. */
export function checkContained(name: string, depth: number, mode: Mode, containment: Containment): void {
  const attack = assembleAttack(name);
  const { machine, result, console } = run(attack, depth, mode);
  const lines = console.split('\n').slice(0, -1);
  if ('stopped' in containment) {
    expect(result, console).toMatchObject({ status: 'exited', exitCode: containment.stopped });
    const last = lines[lines.length - 1] ?? '';
    const hypervisor = `L${depth - 1}: `;
    expect(last.startsWith(hypervisor), `the guest's own hypervisor (${hypervisor}) reports it: ${console}`).toBe(true);
    expect(last.slice(hypervisor.length)).toMatch(containment.report);
    expect(lines.includes('contained'), console).toBe(false);
  } else {
    expect(lines, console).toEqual([...containment.continues, 'contained']);
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
  }
  const clean = reference(depth, mode);
  for (const region of victims(machine, depth, attack)) {
    const attacked = machine.memory.bytes.subarray(region.start, region.end);
    const untouched = (region.image ?? clean.memory.bytes.subarray(region.start, region.end)).slice();
    for (const branch of region.branches ?? []) {
      const patched = branchBytes(branch);
      const offset = branch.at - region.start;
      if (Buffer.compare(attacked.subarray(offset, offset + 8), patched) === 0) untouched.set(patched, offset);
    }
    expect(Buffer.compare(attacked, untouched), `${region.name} [0x${region.start.toString(16)}, 0x${region.end.toString(16)}) is as a benign run leaves it`).toBe(0);
  }
  expect(counterDiscrepancies(machine.stats())).toEqual([]);
}

/** One test per attack, mode and depth. */
export function containmentSuite(attacks: Record<string, Containment>): void {
  for (const [name, containment] of Object.entries(attacks)) {
    describe(name, () => {
      for (const mode of IMPLEMENTED_MODES) {
        for (const depth of DEPTHS) {
          it(`${mode}, depth ${depth}`, () => checkContained(name, depth, mode, containment));
        }
      }
    });
  }
}
