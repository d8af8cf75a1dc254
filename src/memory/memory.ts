// Physical memory, shared by every hardware thread and by devices.
//
// Besides the bytes it keeps two things the interpreter needs to be fast and
// still exact:
// - `decoded`: the decode cache, one entry per aligned word, holding the
//   validated header word of the instruction that starts there (0 = not yet
//   decoded). Instructions are decoded once and then dispatched from here.
// - `lineFlags`: one byte per 64-byte line telling whether a write to the
//   line needs attention: CODE (the line holds a cached decode, which the
//   write invalidates, so code that is copied or patched and then run is
//   decoded afresh) or MONITORED (a hardware thread has armed `monitor` on
//   it). `monitors` counts the threads armed on each line, so that one
//   thread disarming never clears the flag another thread still relies on.
//   A store to a line with no flags costs one load and a branch. A third
//   flag, COMPILED, marks lines holding code of a compiled region (src/jit/):
//   a write there drops the regions built from it.
//
// All of it (RAM, line flags, and each hardware thread's registers and
// counters) lives in one WebAssembly.Memory, so that compiled regions work
// on the same state as the interpreter. The layout, from address 0: RAM,
// then the line flags, then THREAD_AREA_BYTES per hardware thread.

export const LINE_SHIFT = 6;
export const LINE_CODE = 1;
export const LINE_MONITORED = 2;
export const LINE_COMPILED = 4;

/** A hardware thread's area: registers, then the compiled code's exchange
 * fields, then per-opcode counts (offsets in src/jit/layout.ts). */
export const THREAD_AREA_BYTES = 4096;
export const MAX_THREADS = 8;
const WASM_PAGE = 65536;

export class Memory {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  readonly decoded: Int32Array;
  readonly lineFlags: Uint8Array;
  /** Per line: how many hardware threads have armed `monitor` on it. */
  private readonly monitors: Uint8Array;
  /** Called with the line number when a MONITORED line is written. */
  onMonitoredWrite: (line: number) => void = () => {};
  /** Called with the line number when a COMPILED line is written. */
  onCompiledWrite: (line: number) => void = () => {};
  readonly wasm: WebAssembly.Memory;
  /** Where the line flags start in the WebAssembly memory. */
  readonly lineFlagsBase: number;
  private readonly threadAreasBase: number;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4096 || size % 4096 !== 0 || size > 0x80000000) {
      throw new RangeError(`RAM size must be a multiple of 4096 between 4 KiB and 2 GiB, got ${size}`);
    }
    this.size = size;
    this.lineFlagsBase = size;
    this.threadAreasBase = size + (size >>> LINE_SHIFT);
    const pages = Math.ceil((this.threadAreasBase + MAX_THREADS * THREAD_AREA_BYTES) / WASM_PAGE);
    this.wasm = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const buffer = this.wasm.buffer;
    this.bytes = new Uint8Array(buffer, 0, size);
    this.words = new Int32Array(buffer, 0, size >>> 2);
    this.decoded = new Int32Array(size >>> 2);
    this.lineFlags = new Uint8Array(buffer, this.lineFlagsBase, size >>> LINE_SHIFT);
    this.monitors = new Uint8Array(size >>> LINE_SHIFT);
  }

  /** A thread armed `monitor` on `line`. */
  armMonitor(line: number): void {
    if (this.monitors[line]++ === 0) this.lineFlags[line] |= LINE_MONITORED;
  }

  /** A thread's monitor on `line` is disarmed; the line stays watched while another thread's is armed. */
  disarmMonitor(line: number): void {
    if (--this.monitors[line] === 0) this.lineFlags[line] &= ~LINE_MONITORED;
  }

  /** Pages of the WebAssembly memory (a compiled region imports it at this size). */
  get pages(): number {
    return this.wasm.buffer.byteLength / WASM_PAGE;
  }

  /** The address of hardware thread `id`'s area in the WebAssembly memory. */
  threadArea(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= MAX_THREADS) throw new RangeError(`thread ${id} has no area (at most ${MAX_THREADS} threads)`);
    return this.threadAreasBase + id * THREAD_AREA_BYTES;
  }

  /** A write touched lines `first..last` that carry flags: invalidate decodes, wake monitors. */
  noteWrite(address: number, length: number): void {
    const first = address >>> LINE_SHIFT;
    const last = (address + length - 1) >>> LINE_SHIFT;
    for (let line = first; line <= last && line < this.lineFlags.length; line++) {
      const flags = this.lineFlags[line];
      if (flags & LINE_CODE) {
        // An instruction may start up to 8 bytes before the line and extend
        // into it; its header is outside the line, and only the header is
        // cached (displacement and immediate words are read at execution).
        this.decoded.fill(0, line << (LINE_SHIFT - 2), (line + 1) << (LINE_SHIFT - 2));
        this.lineFlags[line] = flags & ~LINE_CODE;
      }
      if (flags & LINE_COMPILED) this.onCompiledWrite(line);
      if (flags & LINE_MONITORED) this.onMonitoredWrite(line);
    }
  }

  /** Host-side access for loaders, devices (DMA) and tests. Out-of-range is a host error. */
  load(address: number, data: Uint8Array): void {
    this.checkRange(address, data.length);
    this.bytes.set(data, address);
    if (data.length > 0) this.noteWriteIfFlagged(address, data.length);
  }

  read(address: number, length: number): Uint8Array {
    this.checkRange(address, length);
    return this.bytes.slice(address, address + length);
  }

  readU32(address: number): number {
    this.checkRange(address, 4);
    return (this.bytes[address] | (this.bytes[address + 1] << 8) | (this.bytes[address + 2] << 16) | (this.bytes[address + 3] << 24)) >>> 0;
  }

  writeU32(address: number, value: number): void {
    this.checkRange(address, 4);
    this.bytes[address] = value;
    this.bytes[address + 1] = value >>> 8;
    this.bytes[address + 2] = value >>> 16;
    this.bytes[address + 3] = value >>> 24;
    this.noteWriteIfFlagged(address, 4);
  }

  /** A host-side write of `length` bytes at `address` is noted where its lines carry flags. */
  noteWriteIfFlagged(address: number, length: number): void {
    const first = address >>> LINE_SHIFT;
    const last = (address + length - 1) >>> LINE_SHIFT;
    for (let line = first; line <= last; line++) {
      if (this.lineFlags[line] !== 0) {
        this.noteWrite(address, length);
        return;
      }
    }
  }

  private checkRange(address: number, length: number): void {
    if (!Number.isInteger(address) || address < 0 || address + length > this.size) {
      throw new RangeError(`memory access 0x${address.toString(16)}+${length} is outside RAM (size 0x${this.size.toString(16)})`);
    }
  }
}
