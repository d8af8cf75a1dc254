// VMCS storage. A hardware thread caches its current VMCS on chip (here: in
// typed arrays); the region in memory holds this implementation's layout and
// is brought up to date on vmclear and when vmptrld replaces the current
// VMCS. A shadow VMCS, which a guest reads through VMCS shadowing while it is
// not current, is accessed in memory directly.
//
// Region layout (software must not depend on it; vmread/vmwrite are the API):
//   +0  revision identifier, bit 31 = shadow-VMCS indicator
//   +4  VMX-abort indicator
//   +8  launch state: 0 clear, 1 launched
//   +16 + 8*i   field i of VMCS_FIELDS: low dword, then high dword
//   +WRITTEN_OFFSET + i   1 if software has written field i since the last vmclear

import type { Memory } from '../../memory/memory.ts';
import { VMCS_FIELDS } from './fields.ts';

export const FIELD_COUNT = VMCS_FIELDS.length;
const FIELDS_OFFSET = 16;
const LAUNCH_OFFSET = 8;
const WRITTEN_OFFSET = FIELDS_OFFSET + 8 * FIELD_COUNT;
export const SHADOW_VMCS_INDICATOR = 0x80000000;

/** Field index by encoding (the full-field encoding, access-type bit clear); -1 for none. */
const INDEX_BY_ENCODING = new Int16Array(0x8000).fill(-1);
VMCS_FIELDS.forEach((f, i) => {
  INDEX_BY_ENCODING[f.encoding] = i;
});

/** A vmwrite of a 16-bit field keeps the low 16 bits (SDM 30.3, VMWRITE). */
const IS_16_BIT = Uint8Array.from(VMCS_FIELDS, (f) => (((f.encoding >>> 13) & 3) === 0 ? 1 : 0));

/** A field encoding as software names it, resolved: index and which half. */
export interface FieldRef {
  index: number;
  high: boolean;
}

/** Resolves an encoding (possibly a high-half access, encoding + 1 of a
 * 64-bit field); null for an unsupported component. */
export function resolveField(encoding: number): FieldRef | null {
  if ((encoding >>> 0) > 0x7fff) return null;
  const highAccess = (encoding & 1) === 1;
  const index = INDEX_BY_ENCODING[encoding & ~1];
  if (index < 0) return null;
  if (highAccess && ((encoding >>> 13) & 3) !== 1) return null; // only 64-bit fields have a high half
  return { index, high: highAccess };
}

export function fieldIndex(name: string): number {
  const index = VMCS_FIELDS.findIndex((f) => f.name === name);
  if (index < 0) throw new Error(`no VMCS field ${name}`);
  return index;
}

/** Field indices used by the hardware, by name. */
export const F = Object.fromEntries(VMCS_FIELDS.map((f, i) => [f.name, i])) as Record<string, number>;

export class VmcsCache {
  /** Physical address of the current VMCS, or -1 for none. */
  address = -1;
  launched = false;
  shadow = false;
  readonly lo = new Int32Array(FIELD_COUNT);
  readonly hi = new Int32Array(FIELD_COUNT);
  readonly written = new Uint8Array(FIELD_COUNT);

  get loaded(): boolean {
    return this.address >= 0;
  }

  read(ref: FieldRef): number {
    return ref.high ? this.hi[ref.index] : this.lo[ref.index];
  }

  write(ref: FieldRef, value: number): void {
    if (ref.high) this.hi[ref.index] = value;
    else {
      this.lo[ref.index] = IS_16_BIT[ref.index] ? value & 0xffff : value;
      // A 64-bit field written through its full encoding in 32-bit mode
      // gets a zero high half, as on Intel.
      if (((VMCS_FIELDS[ref.index].encoding >>> 13) & 3) === 1) this.hi[ref.index] = 0;
    }
    this.written[ref.index] = 1;
  }

  get(index: number): number {
    return this.lo[index];
  }

  /** Hardware writes (exit information, saved guest state). */
  set(index: number, value: number): void {
    this.lo[index] = value;
  }

  load(memory: Memory, address: number): void {
    this.address = address;
    this.shadow = (memory.readU32(address) & SHADOW_VMCS_INDICATOR) !== 0;
    this.launched = memory.readU32(address + LAUNCH_OFFSET) === 1;
    for (let i = 0; i < FIELD_COUNT; i++) {
      this.lo[i] = memory.readU32(address + FIELDS_OFFSET + 8 * i);
      this.hi[i] = memory.readU32(address + FIELDS_OFFSET + 8 * i + 4);
      this.written[i] = memory.bytes[address + WRITTEN_OFFSET + i];
    }
  }

  writeBack(memory: Memory): void {
    if (this.address < 0) return;
    const a = this.address;
    memory.writeU32(a + LAUNCH_OFFSET, this.launched ? 1 : 0);
    for (let i = 0; i < FIELD_COUNT; i++) {
      memory.writeU32(a + FIELDS_OFFSET + 8 * i, this.lo[i]);
      memory.writeU32(a + FIELDS_OFFSET + 8 * i + 4, this.hi[i]);
    }
    memory.load(a + WRITTEN_OFFSET, this.written);
  }

  unload(): void {
    this.address = -1;
    this.launched = false;
    this.shadow = false;
  }
}

/** Sets a VMCS region in memory to the clear launch state (vmclear of a VMCS that is not current). */
export function clearRegion(memory: Memory, address: number): void {
  memory.writeU32(address + LAUNCH_OFFSET, 0);
}

/** Reads field `ref` of the VMCS region at `address` in memory (a shadow VMCS). */
export function readRegionField(memory: Memory, address: number, ref: FieldRef): number {
  return memory.readU32(address + FIELDS_OFFSET + 8 * ref.index + (ref.high ? 4 : 0)) | 0;
}

export function writeRegionField(memory: Memory, address: number, ref: FieldRef, value: number): void {
  if (IS_16_BIT[ref.index]) value &= 0xffff;
  memory.writeU32(address + FIELDS_OFFSET + 8 * ref.index + (ref.high ? 4 : 0), value);
  if (!ref.high && ((VMCS_FIELDS[ref.index].encoding >>> 13) & 3) === 1) {
    memory.writeU32(address + FIELDS_OFFSET + 8 * ref.index + 4, 0);
  }
  memory.bytes[address + WRITTEN_OFFSET + ref.index] = 1;
}
