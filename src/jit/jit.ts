// The tiered region compiler's front end: which code gets compiled, when,
// and how a compiled region is entered and dropped.
//
// Hotness is sampled, not counted: with the compiler on, the interpreter's
// loop stops every `interval` instructions (at an instruction count, so runs
// stay deterministic) and reports its eip; an address sampled `threshold`
// times gets a region compiled from it. Between samples the interpreter pays
// nothing. A region is keyed by its entry's physical address: its mark, a
// positive index in the decode cache (decoded instructions are negative),
// sends the interpreter into it when it fetches there.
//
// A region runs only for a thread that is not translating through EPT (the
// interpreter alone runs code under EPT: a region's accesses are physical);
// a marked entry then just executes its instruction in the interpreter.
// A write to any line a region's instructions occupy (line flag COMPILED)
// drops the region, whether a thread's store or a device's DMA wrote it.
//
// Every region is called through one dispatcher (src/jit/wasm.ts) from its
// slot in the dispatcher's table, the region's index. Compiled modules are
// kept per process (per worker thread), by everything the module's bytes
// are a function of, so that the machines a process runs one after another
// from the same images compile each region once: a machine instantiates a
// kept module against its own memory.

import { COUNTER_ZERO } from '../timing/counter.ts';
import { hasImmediate, hasMemory, LENGTH_BY_OPCODE } from '../isa/encoding.ts';
import { endsBlock, SEMANTICS_BY_OPCODE } from '../isa/semantics.ts';
import { CYCLES_BY_OPCODE } from '../isa/table.ts';
import { LINE_COMPILED, LINE_SHIFT, type Memory } from '../memory/memory.ts';
import type { LazyFlags } from '../cpu/flags.ts';
import { compileRegion, type MachineShape, type PlannedBlock, type PlannedInstruction, type RegionPlan } from './compiler.ts';
import * as AREA from './layout.ts';
import { encodeDispatcher } from './wasm.ts';

export type JitMode = 'off' | 'auto' | 'always';
export const JIT_MODES: readonly JitMode[] = ['off', 'auto', 'always'];

/** The mode SMTNEST_JIT asks for (auto when unset); anything else is a one-line error. */
export function jitModeFromEnvironment(value = process.env.SMTNEST_JIT): JitMode {
  if (value === undefined || value === '') return 'auto';
  if (!(JIT_MODES as readonly string[]).includes(value)) {
    throw new RangeError(`SMTNEST_JIT: expected ${JIT_MODES.join(', ')}, got '${value}'`);
  }
  return value as JitMode;
}

/** Sampling per mode: every `interval` instructions; compile at `threshold` samples.
 * auto's figures are a choice: an address compiles once it has been sampled
 * over at least 4,096 instructions. With modules kept across machines and
 * one dispatcher, a region costs little enough that compiling sooner is no
 * loss in nested runs (whose hypervisor code is spread over many short
 * regions) and a loop is compiled after a fraction of a millisecond;
 * docs/performance.md gives the run times measured beside 16 samples every
 * 4,096 instructions and the other figures tried. */
const SAMPLING: Record<Exclude<JitMode, 'off'>, { interval: number; threshold: number }> = {
  auto: { interval: 1024, threshold: 4 },
  always: { interval: 16, threshold: 1 },
};

/** At most this many live regions (then all are dropped) and sampled addresses. */
const MAX_REGIONS = 512;
const MAX_SAMPLED = 4096;
const MAX_BLOCK_INSTRUCTIONS = 64;
const DECODED_MARK = 0x80000000 | 0;
/** Compiled modules kept per process at most (the least recently used goes first). */
const MAX_KEPT_MODULES = 1024;

/** Compiled region modules by their key (regionKey), least recently used first. */
const keptModules = new Map<string, WebAssembly.Module>();
let dispatcherModule: WebAssembly.Module | null = null;

/** Everything compileRegion reads of a plan and a shape, as a string: equal
 * keys give byte-identical modules (an instruction's semantics is a
 * function of its opcode, which is in its header). */
function regionKey(plan: RegionPlan, shape: MachineShape): string {
  const parts: number[] = [shape.ramSize, shape.lineFlagsBase, shape.pages, plan.blocks.length];
  for (const block of plan.blocks) {
    parts.push(block.address, block.instructions.length);
    for (const ins of block.instructions) parts.push(ins.address, ins.header, ins.disp, ins.imm, ins.cycles);
  }
  parts.push(...plan.returnSites);
  return parts.join(',');
}

/** The module of `plan`'s region: a kept one, else compiled and kept. */
function regionModule(plan: RegionPlan, shape: MachineShape): WebAssembly.Module {
  const key = regionKey(plan, shape);
  let module = keptModules.get(key);
  if (module) keptModules.delete(key);
  else {
    module = new WebAssembly.Module(compileRegion(plan, shape));
    if (keptModules.size >= MAX_KEPT_MODULES) keptModules.delete(keptModules.keys().next().value!);
  }
  keptModules.set(key, module);
  return module;
}

/** What a thread offers a region: its state in the shared area and in fields. */
export interface JitThread {
  readonly area: number;
  readonly flags: LazyFlags;
  readonly opcodeCounts: Float64Array;
  readonly translating: boolean;
  eip: number;
  cycles: number;
  instructions: number;
}

interface Region {
  readonly index: number;
  readonly entry: number;
  /** The decode-cache word the mark replaced. */
  readonly entryDecoded: number;
  /** Opcodes of each block, in order (for counting the part of a block a side exit left in). */
  readonly blockOpcodes: readonly Int32Array[];
  readonly lines: readonly number[];
}

export class Jit {
  readonly interval: number;
  private readonly threshold: number;
  private readonly regions: (Region | undefined)[] = [];
  private readonly free: number[] = [];
  private live = 0;
  private readonly regionsByLine = new Map<number, Region[]>();
  private readonly samples = new Map<number, number>();
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly shape: MachineShape;
  /** The dispatcher's table (a region in the slot of its index) and its entry. */
  private readonly table: WebAssembly.Table;
  private readonly dispatch: (area: number, slot: number) => number;
  /** Regions compiled so far (for the bench and the tests). */
  compiled = 0;
  /** Instructions executed in regions so far (for the bench and the tests). */
  executed = COUNTER_ZERO;

  constructor(
    private readonly memory: Memory,
    mode: Exclude<JitMode, 'off'>,
  ) {
    ({ interval: this.interval, threshold: this.threshold } = SAMPLING[mode]);
    this.i32 = new Int32Array(memory.wasm.buffer);
    this.f64 = new Float64Array(memory.wasm.buffer);
    this.shape = { ramSize: memory.size, lineFlagsBase: memory.lineFlagsBase, pages: memory.pages };
    dispatcherModule ??= new WebAssembly.Module(encodeDispatcher(MAX_REGIONS));
    const dispatcher = new WebAssembly.Instance(dispatcherModule).exports;
    this.table = dispatcher.table as WebAssembly.Table;
    this.dispatch = dispatcher.run as (area: number, slot: number) => number;
    memory.onCompiledWrite = (line) => this.dropLine(line);
  }

  /** The interpreter's loop reached a sampling point at physical `eip`. */
  sample(eip: number): void {
    if ((eip & 3) !== 0 || eip >>> 0 >= this.memory.size) return;
    const count = (this.samples.get(eip) ?? 0) + 1;
    if (count < this.threshold) {
      if (this.samples.size >= MAX_SAMPLED) this.samples.clear();
      this.samples.set(eip, count);
      return;
    }
    this.samples.delete(eip);
    this.compileAt(eip);
  }

  /** The decode-cache word at `pa` with any region mark replaced by the word
   * it stands for (0 if not decoded). */
  decodedAt(pa: number): number {
    const d = this.memory.decoded[pa >>> 2];
    return d > 0 ? this.regions[d - 1]!.entryDecoded : d;
  }

  /** Runs the region marked `mark` for `thread` while the limits allow;
   * the thread's eip, counters and flags come back updated (unchanged if it
   * could not start). A write it made to a flagged line is noted here. */
  enter(thread: JitThread, mark: number, instructionLimit: number, cycleLimit: number): void {
    const region = this.regions[mark - 1]!;
    if (thread.translating) return;
    const { i32, f64 } = this;
    const base = thread.area;
    const f = thread.flags;
    const fl = (base + AREA.AREA_FLAGS) >> 2;
    i32[fl] = f.op;
    i32[fl + 1] = f.res;
    i32[fl + 2] = f.a;
    i32[fl + 3] = f.b;
    i32[fl + 4] = f.carry;
    i32[fl + 5] = f.over;
    i32[fl + 6] = f.eflags;
    f64[(base + AREA.AREA_INSTRUCTIONS) >> 3] = thread.instructions;
    f64[(base + AREA.AREA_CYCLES) >> 3] = thread.cycles;
    f64[(base + AREA.AREA_INSTRUCTION_LIMIT) >> 3] = instructionLimit;
    f64[(base + AREA.AREA_CYCLE_LIMIT) >> 3] = cycleLimit;
    const wrote = this.dispatch(base, region.index);
    const instructions = f64[(base + AREA.AREA_INSTRUCTIONS) >> 3];
    if (instructions === thread.instructions) return;
    this.executed += instructions - thread.instructions;
    thread.instructions = instructions;
    thread.cycles = f64[(base + AREA.AREA_CYCLES) >> 3];
    thread.eip = i32[(base + AREA.AREA_EIP) >> 2];
    f.op = i32[fl];
    f.res = i32[fl + 1];
    f.a = i32[fl + 2];
    f.b = i32[fl + 3];
    f.carry = i32[fl + 4];
    f.over = i32[fl + 5];
    f.eflags = i32[fl + 6];
    // The region counted its blocks' completions; the part of a block it left in is counted here.
    const position = i32[(base + AREA.AREA_EXIT_POSITION) >> 2];
    if (position > 0) {
      const counts = thread.opcodeCounts;
      const partial = region.blockOpcodes[i32[(base + AREA.AREA_EXIT_BLOCK) >> 2]];
      for (let i = 0; i < position; i++) counts[partial[i]]++;
    }
    if (wrote !== 0) this.memory.noteWrite(i32[(base + AREA.AREA_WRITE_ADDRESS) >> 2], i32[(base + AREA.AREA_WRITE_SIZE) >> 2]);
  }

  /** Compiles the region entered at `entry`, if its first instruction is decoded and compilable. */
  compileAt(entry: number): void {
    if ((entry & 3) !== 0 || entry >>> 0 >= this.memory.size) return;
    const decoded = this.memory.decoded;
    if (decoded[entry >>> 2] >= 0) return; // not decoded, or a region already
    const plan = this.plan(entry);
    if (!plan) return;
    if (this.live >= MAX_REGIONS) this.dropAll();
    const instance = new WebAssembly.Instance(regionModule(plan, this.shape), { env: { memory: this.memory.wasm } });
    const lines = new Set<number>();
    for (const block of plan.blocks) {
      for (const ins of block.instructions) {
        const end = ins.address + LENGTH_BY_OPCODE[ins.header & 0xff] - 1;
        for (let line = ins.address >>> LINE_SHIFT; line <= end >>> LINE_SHIFT; line++) lines.add(line);
      }
    }
    const index = this.free.pop() ?? this.regions.length;
    const region: Region = {
      index,
      entry,
      entryDecoded: decoded[entry >>> 2],
      blockOpcodes: plan.blocks.map((b) => Int32Array.from(b.instructions, (ins) => ins.header & 0xff)),
      lines: [...lines],
    };
    this.regions[index] = region;
    this.table.set(index, instance.exports.run);
    this.live++;
    this.compiled++;
    for (const line of region.lines) {
      this.memory.lineFlags[line] |= LINE_COMPILED;
      const list = this.regionsByLine.get(line);
      if (list) list.push(region);
      else this.regionsByLine.set(line, [region]);
    }
    decoded[entry >>> 2] = index + 1;
  }

  /** The blocks reachable from `entry` by direct edges (jcc, jmp, call and
   * its return site), each a run of decoded, compilable instructions. */
  private plan(entry: number): RegionPlan | null {
    const blocks: PlannedBlock[] = [];
    const index = new Map<number, number>();
    const returnSites: number[] = [];
    const queue = [entry];
    while (queue.length > 0 && blocks.length < AREA.MAX_REGION_BLOCKS) {
      const address = queue.shift()!;
      if (index.has(address)) continue;
      const instructions = this.decodeBlock(address);
      if (instructions.length === 0) continue;
      index.set(address, blocks.length);
      blocks.push({ address, instructions });
      const last = instructions[instructions.length - 1];
      const { behaviour, form } = last.semantics;
      const next = (last.address + LENGTH_BY_OPCODE[form.opcode]) | 0;
      const direct = form.operands[0] === 'rel';
      if (behaviour.kind === 'jcc') queue.push((next + last.imm) | 0, next);
      else if (behaviour.kind === 'jmp' && direct) queue.push((next + last.imm) | 0);
      else if (behaviour.kind === 'call') {
        if (direct) queue.push((next + last.imm) | 0);
        queue.push(next);
        returnSites.push(next);
      } else if (!endsBlock(behaviour) && instructions.length === MAX_BLOCK_INSTRUCTIONS) queue.push(next);
    }
    if (blocks.length === 0) return null;
    return { blocks, index, returnSites: returnSites.filter((site) => index.has(site)) };
  }

  private decodeBlock(start: number): PlannedInstruction[] {
    const m = this.memory;
    const instructions: PlannedInstruction[] = [];
    let address = start;
    while (instructions.length < MAX_BLOCK_INSTRUCTIONS) {
      if ((address & 3) !== 0 || address >>> 0 >= m.size) break;
      const d = this.decodedAt(address);
      if (d === 0) break; // never executed: the interpreter decodes it first
      const semantics = SEMANTICS_BY_OPCODE[d & 0xff]!;
      if (semantics.behaviour.kind === 'interpreter') break;
      const w = address >>> 2;
      const memory = hasMemory(semantics.form);
      instructions.push({
        address,
        header: d & ~DECODED_MARK,
        disp: memory ? m.words[w + 1] : 0,
        imm: hasImmediate(semantics.form) ? m.words[w + (memory ? 2 : 1)] : 0,
        cycles: CYCLES_BY_OPCODE[d & 0xff],
        semantics,
      });
      if (endsBlock(semantics.behaviour)) break;
      address = (address + LENGTH_BY_OPCODE[d & 0xff]) | 0;
    }
    return instructions;
  }

  /** A write to `line`: the regions built from it go, and their marks with them. */
  private dropLine(line: number): void {
    const list = this.regionsByLine.get(line);
    if (!list) return;
    for (const region of [...list]) this.drop(region);
  }

  private drop(region: Region): void {
    const m = this.memory;
    if (m.decoded[region.entry >>> 2] === region.index + 1) m.decoded[region.entry >>> 2] = 0;
    for (const line of region.lines) {
      const list = this.regionsByLine.get(line)!;
      list.splice(list.indexOf(region), 1);
      if (list.length === 0) {
        this.regionsByLine.delete(line);
        m.lineFlags[line] &= ~LINE_COMPILED;
      }
    }
    this.regions[region.index] = undefined;
    this.table.set(region.index, null);
    this.free.push(region.index);
    this.live--;
  }

  private dropAll(): void {
    for (const region of this.regions) if (region) this.drop(region);
  }
}
