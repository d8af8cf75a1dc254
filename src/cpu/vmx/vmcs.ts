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
/** The bytes of a region this layout uses. */
const LAYOUT_BYTES = WRITTEN_OFFSET + FIELD_COUNT;
export const SHADOW_VMCS_INDICATOR = 0x80000000;

/** Field index by encoding (the full-field encoding, access-type bit clear); -1 for none. */
const INDEX_BY_ENCODING = new Int16Array(0x8000).fill(-1);
VMCS_FIELDS.forEach((f, i) => {
  INDEX_BY_ENCODING[f.encoding] = i;
});

/** A vmwrite of a 16-bit field keeps the low 16 bits (SDM 30.3, VMWRITE). */
const IS_16_BIT = Uint8Array.from(VMCS_FIELDS, (f) => (((f.encoding >>> 13) & 3) === 0 ? 1 : 0));
/** A 64-bit field written through its full encoding in 32-bit mode gets a
 * zero high half, as on Intel. */
const IS_64_BIT = Uint8Array.from(VMCS_FIELDS, (f) => (((f.encoding >>> 13) & 3) === 1 ? 1 : 0));

/** A field encoding as software names it, resolved to the dword it names: a
 * field's low half is dword 2 * index, its high half 2 * index + 1, in the
 * cache as in a region (both are laid out so). A plain number, since
 * vmread and vmwrite resolve one at every access. */
export type FieldSlot = number;

/** The dword of field `index`'s low half (high: its high half). */
export function fieldSlot(index: number, high = false): FieldSlot {
  return 2 * index + (high ? 1 : 0);
}

/** Resolves an encoding (possibly a high-half access, encoding + 1 of a
 * 64-bit field); -1 for an unsupported component. */
export function resolveField(encoding: number): FieldSlot {
  if ((encoding >>> 0) > 0x7fff) return -1;
  const highAccess = encoding & 1;
  const index = INDEX_BY_ENCODING[encoding & ~1];
  if (index < 0) return -1;
  if (highAccess === 1 && ((encoding >>> 13) & 3) !== 1) return -1; // only 64-bit fields have a high half
  return 2 * index + highAccess;
}

export function fieldIndex(name: string): number {
  const index = VMCS_FIELDS.findIndex((f) => f.name === name);
  if (index < 0) throw new Error(`no VMCS field ${name}`);
  return index;
}

/** Field indices used by the hardware, by name. */
export const F = Object.fromEntries(VMCS_FIELDS.map((f, i) => [f.name, i])) as Record<string, number>;

/** A region's layout must lie inside the memory it is moved to or from. */
function checkRegion(memory: Memory, address: number): void {
  if (!Number.isInteger(address) || address < 0 || (address & 3) !== 0 || address + LAYOUT_BYTES > memory.size) {
    throw new RangeError(`VMCS region at 0x${address.toString(16)} is outside RAM (size 0x${memory.size.toString(16)})`);
  }
}

/** A region's fields and written flags, as views of the memory they are in. */
interface RegionView {
  memory: Memory;
  fields: Int32Array;
  written: Uint8Array;
}

/** Regions whose views a cache keeps; beyond it, they are made afresh. */
const KEPT_VIEWS = 64;

export class VmcsCache {
  /** Physical address of the current VMCS, or -1 for none. */
  address = -1;
  launched = false;
  shadow = false;
  /** Every field's low and high dword, interleaved as in a region (FieldSlot),
   * so that vmptrld and vmclear move them in one block. */
  readonly fields = new Int32Array(2 * FIELD_COUNT);
  readonly written = new Uint8Array(FIELD_COUNT);
  /** By region address: hypervisors switch among a few VMCSs thousands of
   * times a run, and a copy between views is one block move. */
  private readonly views = new Map<number, RegionView>();

  get loaded(): boolean {
    return this.address >= 0;
  }

  read(slot: FieldSlot): number {
    return this.fields[slot];
  }

  write(slot: FieldSlot, value: number): void {
    const index = slot >>> 1;
    if ((slot & 1) !== 0) this.fields[slot] = value;
    else {
      this.fields[slot] = IS_16_BIT[index] ? value & 0xffff : value;
      if (IS_64_BIT[index]) this.fields[slot + 1] = 0;
    }
    this.written[index] = 1;
  }

  /** Field `index`'s low half (the whole of a field other than a 64-bit one). */
  get(index: number): number {
    return this.fields[2 * index];
  }

  /** The high half of 64-bit field `index`. */
  high(index: number): number {
    return this.fields[2 * index + 1];
  }

  /** Hardware writes (exit information, saved guest state). */
  set(index: number, value: number): void {
    this.fields[2 * index] = value;
  }

  setHigh(index: number, value: number): void {
    this.fields[2 * index + 1] = value;
  }

  /** The views of the region at `address` in `memory`. */
  private view(memory: Memory, address: number): RegionView {
    let view = this.views.get(address);
    if (view?.memory !== memory) {
      checkRegion(memory, address);
      view = {
        memory,
        fields: memory.words.subarray((address + FIELDS_OFFSET) >>> 2, ((address + FIELDS_OFFSET) >>> 2) + 2 * FIELD_COUNT),
        written: memory.bytes.subarray(address + WRITTEN_OFFSET, address + WRITTEN_OFFSET + FIELD_COUNT),
      };
      if (this.views.size >= KEPT_VIEWS) this.views.clear();
      this.views.set(address, view);
    }
    return view;
  }

  load(memory: Memory, address: number): void {
    const view = this.view(memory, address);
    this.address = address;
    const words = memory.words;
    this.shadow = (words[address >>> 2] & SHADOW_VMCS_INDICATOR) !== 0;
    this.launched = words[(address + LAUNCH_OFFSET) >>> 2] === 1;
    this.fields.set(view.fields);
    this.written.set(view.written);
  }

  writeBack(memory: Memory): void {
    if (this.address < 0) return;
    const a = this.address;
    const view = this.view(memory, a);
    memory.words[(a + LAUNCH_OFFSET) >>> 2] = this.launched ? 1 : 0;
    view.fields.set(this.fields);
    view.written.set(this.written);
    // One note for the whole layout: the lines it covers are those its
    // dwords and bytes were written to one by one, and what a write to a
    // flagged line does (decodes dropped, regions dropped, monitors woken)
    // is the same done once or once per dword.
    memory.noteWriteIfFlagged(a + LAUNCH_OFFSET, LAYOUT_BYTES - LAUNCH_OFFSET);
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

/** Reads dword `slot` of the VMCS region at `address` in memory (a shadow VMCS). */
export function readRegionField(memory: Memory, address: number, slot: FieldSlot): number {
  return memory.readU32(address + FIELDS_OFFSET + 4 * slot) | 0;
}

export function writeRegionField(memory: Memory, address: number, slot: FieldSlot, value: number): void {
  const index = slot >>> 1;
  const high = (slot & 1) !== 0;
  if (IS_16_BIT[index]) value &= 0xffff;
  memory.writeU32(address + FIELDS_OFFSET + 4 * slot, value);
  if (!high && IS_64_BIT[index]) memory.writeU32(address + FIELDS_OFFSET + 4 * slot + 4, 0);
  memory.bytes[address + WRITTEN_OFFSET + index] = 1;
}
