// The region compiler's back end: one region (blocks reachable from its
// entry by direct edges, planned by src/jit/jit.ts) becomes one WebAssembly
// function, emitted from the instruction semantics (src/isa/semantics.ts).
//
// The function keeps the 16 registers and the lazy-flag state in locals, and
// works on guest RAM, line flags and the thread's counters in the machine's
// WebAssembly memory. Branches between blocks never leave WebAssembly: a
// block's code follows the blocks before it inside their labels, so a branch
// to a later block is a `br` out to it, a branch to the block itself a `br`
// back to its own `loop`, a branch back to the entry block to the region's
// loop, and only a branch back to another earlier block goes through the
// br_table dispatch at that loop's head. The exactness rules, each
// of which the differential test (test/jit.test.ts) checks:
// - a block starts only if the instruction budget and the cycle limit cannot
//   end inside it; else the region returns and the interpreter finishes. The
//   limits become two i32 allowances on entry (instructions and cycles left),
//   from which each block subtracts its totals and checks the sign once;
// - an access out of RAM, a divide that would raise #DE, or an idiv by -1
//   side-exits before the instruction, which the interpreter then executes
//   (and faults on) itself;
// - a store to a line with flags (compiled or decoded code, a monitor) leaves
//   after the instruction, with the write reported so that the caller
//   invalidates and wakes exactly as the interpreter's store does;
// - instructions and cycles are what the allowances lost, added to the
//   thread's counters on return; per-block completion counts, kept in locals
//   and folded into the opcode counts on return, replace per-opcode counting;
// - the region returns after at most FUEL_INSTRUCTIONS instructions;
// - the lazy-flag kind a block starts with is known at compile time when
//   every branch into it comes from a block of the region that ends with the
//   same kind (the entry block's is unknown: the interpreter enters there).

import { LENGTH_BY_OPCODE, NO_REG } from '../isa/encoding.ts';
import type { Behaviour, Semantics } from '../isa/semantics.ts';
import * as LAZY from '../cpu/flags.ts';
import * as AREA from './layout.ts';
import { Code, encodeModule, F64, I32, I64, OP, type FunctionDef } from './wasm.ts';

/** Instructions a region runs at most before it returns to the interpreter's loop. */
export const FUEL_INSTRUCTIONS = 1 << 20;
/** The cycle allowance's cap (a finite one: it is an i32). */
const FUEL_CYCLES = 1 << 30;

const ESP = 4;

export interface PlannedInstruction {
  readonly address: number;
  readonly header: number;
  /** The displacement word (memory forms) and the immediate word, as the interpreter reads them. */
  readonly disp: number;
  readonly imm: number;
  readonly cycles: number;
  readonly semantics: Semantics;
}

export interface PlannedBlock {
  readonly address: number;
  readonly instructions: readonly PlannedInstruction[];
}

export interface RegionPlan {
  readonly blocks: readonly PlannedBlock[];
  /** Block index by address (the entry is block 0). */
  readonly index: ReadonlyMap<number, number>;
  /** Return sites in the region: where a ret may land without leaving it. */
  readonly returnSites: readonly number[];
}

export interface MachineShape {
  /** RAM size in bytes. */
  readonly ramSize: number;
  readonly lineFlagsBase: number;
  readonly pages: number;
}

/** Local indices of a lazy-flag state (LazyFlags' fields). */
interface FlagLocals {
  op: number;
  res: number;
  a: number;
  b: number;
  carry: number;
  over: number;
  eflags: number;
}

const UNKNOWN = -1;
const FN_CF = 0;
const FN_OF = 1;

/** Per ALU operation: its lazy-flag kind, its WebAssembly operator, and
 * whether CF is added in (adc) or subtracted (sbb). */
const ALU: Record<string, { flags: number; operator: number; withCarry: boolean }> = {
  add: { flags: LAZY.FLAGS_ADD, operator: OP.i32Add, withCarry: false },
  adc: { flags: LAZY.FLAGS_ADC, operator: OP.i32Add, withCarry: true },
  sub: { flags: LAZY.FLAGS_SUB, operator: OP.i32Sub, withCarry: false },
  sbb: { flags: LAZY.FLAGS_SBB, operator: OP.i32Sub, withCarry: true },
  and: { flags: LAZY.FLAGS_LOGIC, operator: OP.i32And, withCarry: false },
  or: { flags: LAZY.FLAGS_LOGIC, operator: OP.i32Or, withCarry: false },
  xor: { flags: LAZY.FLAGS_LOGIC, operator: OP.i32Xor, withCarry: false },
};

/** Pushes CF of the flag state; `known` is the lazy op if known at compile time. */
function emitCf(c: Code, f: FlagLocals, known: number): void {
  switch (known) {
    case LAZY.FLAGS_ADD:
      c.get(f.res).get(f.a).op(OP.i32LtU);
      return;
    case LAZY.FLAGS_ADC:
      c.get(f.carry).ifValue(I32).get(f.res).get(f.a).op(OP.i32LeU).op(OP.else).get(f.res).get(f.a).op(OP.i32LtU).op(OP.end);
      return;
    case LAZY.FLAGS_SUB:
      c.get(f.a).get(f.b).op(OP.i32LtU);
      return;
    case LAZY.FLAGS_SBB:
      c.get(f.carry).ifValue(I32).get(f.a).get(f.b).op(OP.i32LeU).op(OP.else).get(f.a).get(f.b).op(OP.i32LtU).op(OP.end);
      return;
    case LAZY.FLAGS_LOGIC:
      c.i32(0);
      return;
    case LAZY.FLAGS_ALL:
      c.get(f.eflags).i32(1).op(OP.i32And);
      return;
    case UNKNOWN:
      c.get(f.op).get(f.res).get(f.a).get(f.b).get(f.carry).get(f.over).get(f.eflags).call(FN_CF);
      return;
    default:
      c.get(f.carry);
  }
}

function emitOf(c: Code, f: FlagLocals, known: number): void {
  switch (known) {
    case LAZY.FLAGS_ADD:
    case LAZY.FLAGS_ADC:
      c.get(f.a).get(f.res).op(OP.i32Xor).get(f.b).get(f.res).op(OP.i32Xor).op(OP.i32And).i32(0).op(OP.i32LtS);
      return;
    case LAZY.FLAGS_SUB:
    case LAZY.FLAGS_SBB:
      c.get(f.a).get(f.b).op(OP.i32Xor).get(f.a).get(f.res).op(OP.i32Xor).op(OP.i32And).i32(0).op(OP.i32LtS);
      return;
    case LAZY.FLAGS_LOGIC:
      c.i32(0);
      return;
    case LAZY.FLAGS_INC:
      c.get(f.res).i32(-0x80000000).op(OP.i32Eq);
      return;
    case LAZY.FLAGS_DEC:
      c.get(f.res).i32(0x7fffffff).op(OP.i32Eq);
      return;
    case LAZY.FLAGS_CO:
      c.get(f.over);
      return;
    case UNKNOWN:
      c.get(f.op).get(f.res).get(f.a).get(f.b).get(f.carry).get(f.over).get(f.eflags).call(FN_OF);
      return;
    default:
      c.get(f.eflags).i32(11).op(OP.i32ShrU).i32(1).op(OP.i32And);
  }
}

/** ZF (bit 6 of eflags after popf-like states, else res == 0) and SF likewise. */
function emitZfSf(c: Code, f: FlagLocals, known: number, bit: 6 | 7): void {
  const fromEflags = () => c.get(f.eflags).i32(bit).op(OP.i32ShrU).i32(1).op(OP.i32And);
  const fromRes = () => (bit === 6 ? c.get(f.res).op(OP.i32Eqz) : c.get(f.res).i32(31).op(OP.i32ShrU));
  if (known === LAZY.FLAGS_ALL) fromEflags();
  else if (known !== UNKNOWN) fromRes();
  else {
    fromEflags();
    fromRes();
    c.get(f.op).i32(LAZY.FLAGS_ALL).op(OP.i32Eq).op(OP.select);
  }
}

/** CF ZF SF OF as eflags bits (LazyFlags.arith). */
function emitArith(c: Code, f: FlagLocals, known: number): void {
  emitCf(c, f, known);
  emitZfSf(c, f, known, 6);
  c.i32(6).op(OP.i32Shl).op(OP.i32Or);
  emitZfSf(c, f, known, 7);
  c.i32(7).op(OP.i32Shl).op(OP.i32Or);
  emitOf(c, f, known);
  c.i32(11).op(OP.i32Shl).op(OP.i32Or);
}

/** Condition code cc, as LazyFlags.condition evaluates it. */
function emitCondition(c: Code, f: FlagLocals, known: number, cc: number): void {
  const signedLess = (orEqual: boolean) => {
    const compare = () => c.get(f.a).get(f.b).op(orEqual ? OP.i32LeS : OP.i32LtS);
    const general = () => {
      emitZfSf(c, f, known, 7);
      emitOf(c, f, known);
      c.op(OP.i32Xor);
      if (orEqual) {
        emitZfSf(c, f, known, 6);
        c.op(OP.i32Or);
      }
    };
    if (known === LAZY.FLAGS_SUB) compare();
    else if (known !== UNKNOWN) general();
    else {
      compare();
      general();
      c.get(f.op).i32(LAZY.FLAGS_SUB).op(OP.i32Eq).op(OP.select);
    }
  };
  switch (cc >> 1) {
    case 0:
      emitOf(c, f, known);
      break;
    case 1:
      emitCf(c, f, known);
      break;
    case 2:
      emitZfSf(c, f, known, 6);
      break;
    case 3:
      emitCf(c, f, known);
      emitZfSf(c, f, known, 6);
      c.op(OP.i32Or);
      break;
    case 4:
      emitZfSf(c, f, known, 7);
      break;
    case 6:
      signedLess(false);
      break;
    case 7:
      signedLess(true);
      break;
    default:
      c.i32(0);
  }
  if (cc & 1) c.i32(1).op(OP.i32Xor);
}

/** The generic CF or OF of a flag state given as parameters: a chain over the op kinds. */
function flagHelper(emit: (c: Code, f: FlagLocals, known: number) => void, kinds: readonly number[], fallback: number): FunctionDef {
  const c = new Code(7);
  const f: FlagLocals = { op: 0, res: 1, a: 2, b: 3, carry: 4, over: 5, eflags: 6 };
  for (const kind of kinds) {
    c.get(f.op).i32(kind).op(OP.i32Eq).ifValue(I32);
    emit(c, f, kind);
    c.op(OP.else);
  }
  emit(c, f, fallback);
  for (let i = 0; i < kinds.length; i++) c.op(OP.end);
  return { params: [I32, I32, I32, I32, I32, I32, I32], results: [I32], code: c };
}

/** The lazy-flag kind after `ins`, given the kind before it (UNKNOWN when
 * not known at compile time): the kind its emitted code leaves in the op local. */
function flagsAfter(ins: PlannedInstruction, before: number): number {
  const { behaviour, form } = ins.semantics;
  switch (behaviour.kind) {
    case 'alu':
      return ALU[behaviour.op].flags;
    case 'neg':
    case 'cmpxchg':
      return LAZY.FLAGS_SUB;
    case 'inc':
      return LAZY.FLAGS_INC;
    case 'dec':
      return LAZY.FLAGS_DEC;
    case 'shift':
      if (form.operands[1] !== 'i') return UNKNOWN; // a zero count keeps the kind before
      if ((ins.imm & 31) === 0) return before;
      return behaviour.op === 'rol' || behaviour.op === 'ror' ? LAZY.FLAGS_ALL : LAZY.FLAGS_CO;
    case 'carry':
      return LAZY.FLAGS_ALL;
    case 'multiply':
      return LAZY.FLAGS_CO;
    default:
      return before;
  }
}

/** The addresses block `b` may go on at inside the region (the emitter's transfers). */
function successors(plan: RegionPlan, b: number): number[] {
  const instructions = plan.blocks[b].instructions;
  const last = instructions[instructions.length - 1];
  const { behaviour, form } = last.semantics;
  const next = (last.address + LENGTH_BY_OPCODE[form.opcode]) | 0;
  const direct = form.operands[0] === 'rel';
  switch (behaviour.kind) {
    case 'jcc':
      return [(next + last.imm) | 0, next];
    case 'jmp':
    case 'call':
      return direct ? [(next + last.imm) | 0] : [...plan.returnSites];
    case 'ret':
      return [...plan.returnSites];
    default:
      return [next];
  }
}

/** Per block, the lazy-flag kind it starts with: the one every block
 * branching to it ends with, or UNKNOWN (always for block 0, which the
 * interpreter enters). A forward analysis to its fixed point. */
function knownAtEntry(plan: RegionPlan): number[] {
  const UNREACHED = -2;
  const entry = plan.blocks.map((_, i): number => (i === 0 ? UNKNOWN : UNREACHED));
  for (let changed = true; changed; ) {
    changed = false;
    plan.blocks.forEach((block, b) => {
      if (entry[b] === UNREACHED) return;
      let known = entry[b];
      for (const ins of block.instructions) known = flagsAfter(ins, known);
      for (const address of successors(plan, b)) {
        const j = plan.index.get(address);
        if (j === undefined) continue;
        const met = entry[j] === UNREACHED || entry[j] === known ? known : UNKNOWN;
        if (met !== entry[j]) {
          entry[j] = met;
          changed = true;
        }
      }
    });
  }
  return entry.map((known) => (known === UNREACHED ? UNKNOWN : known));
}

/** Emits one region's function. */
class RegionEmitter {
  readonly c = new Code(1);
  private readonly area = 0;
  private readonly r: number[] = [];
  private readonly f: FlagLocals;
  private readonly n: number;
  private readonly cyc: number;
  /** The instructions and cycles the limits still allow, and their values on entry. */
  private readonly fuel: number;
  private readonly cycleFuel: number;
  private readonly fuelAtEntry: number;
  private readonly cycleFuelAtEntry: number;
  private readonly next: number;
  private readonly exitEip: number;
  private readonly exitBlock: number;
  private readonly exitPosition: number;
  private readonly writeAddress: number;
  private readonly writeSize: number;
  /** Per block, the times it ran to its end in this call (folded into the opcode counts on return). */
  private readonly blockCounts: number[] = [];
  private readonly temps: number[] = [];
  private readonly wideTemps: number[] = [];
  private tempsUsed = 0;
  private wideUsed = 0;
  /** Open structured-control constructs, and the levels of the labels: the
   * exit, the dispatch loop, each block's start, the current block's loop. */
  private depth = 0;
  private doneLevel = 0;
  private dispatchLevel = 0;
  private readonly blockLevels: number[] = [];
  private selfLevel = 0;
  /** The lazy-flag kind each block starts with, where the region fixes it. */
  private readonly knownAtEntry: number[];
  /** Whether some block branches back to a block after the first (through the br_table). */
  private readonly dispatched: boolean;
  /** The lazy op as far as the compiler knows it within a block. */
  private known = UNKNOWN;
  /** The block and position being emitted, and the block's prefix cycle sums. */
  private block = 0;
  private position = 0;
  private prefixCycles: number[] = [];

  constructor(
    private readonly plan: RegionPlan,
    private readonly shape: MachineShape,
  ) {
    const c = this.c;
    for (let i = 0; i < 16; i++) this.r.push(c.local(I32));
    this.f = {
      op: c.local(I32),
      res: c.local(I32),
      a: c.local(I32),
      b: c.local(I32),
      carry: c.local(I32),
      over: c.local(I32),
      eflags: c.local(I32),
    };
    this.next = c.local(I32);
    this.fuel = c.local(I32);
    this.cycleFuel = c.local(I32);
    this.fuelAtEntry = c.local(I32);
    this.cycleFuelAtEntry = c.local(I32);
    this.exitEip = c.local(I32);
    this.exitBlock = c.local(I32);
    this.exitPosition = c.local(I32);
    this.writeAddress = c.local(I32);
    this.writeSize = c.local(I32);
    for (let i = 0; i < plan.blocks.length; i++) this.blockCounts.push(c.local(I32));
    this.n = c.local(F64);
    this.cyc = c.local(F64);
    this.knownAtEntry = knownAtEntry(plan);
    this.dispatched = plan.blocks.some((_, b) =>
      successors(plan, b).some((address) => {
        const j = plan.index.get(address);
        return j !== undefined && j > 0 && j < b;
      }),
    );
  }

  private temp(): number {
    if (this.tempsUsed === this.temps.length) this.temps.push(this.c.local(I32));
    return this.temps[this.tempsUsed++];
  }

  private wide(): number {
    if (this.wideUsed === this.wideTemps.length) this.wideTemps.push(this.c.local(I64));
    return this.wideTemps[this.wideUsed++];
  }

  private flagLocals(): number[] {
    const f = this.f;
    return [f.op, f.res, f.a, f.b, f.carry, f.over, f.eflags];
  }

  private open(kind: 'block' | 'loop' | 'if'): number {
    if (kind === 'block') this.c.block();
    else if (kind === 'loop') this.c.loop();
    else this.c.if();
    return ++this.depth;
  }

  private close(): void {
    this.c.op(OP.end);
    this.depth--;
  }

  private br(level: number): void {
    this.c.br(this.depth - level);
  }

  emit(): FunctionDef {
    const c = this.c;
    const { blocks } = this.plan;
    // Prologue: registers, flags and counters from the thread's area.
    for (let i = 0; i < 16; i++) c.get(this.area).mem(OP.i32Load, 2, AREA.AREA_REGS + 4 * i).set(this.r[i]);
    this.flagLocals().forEach((local, i) => c.get(this.area).mem(OP.i32Load, 2, AREA.AREA_FLAGS + 4 * i).set(local));
    c.get(this.area).mem(OP.f64Load, 3, AREA.AREA_INSTRUCTIONS).set(this.n);
    c.get(this.area).mem(OP.f64Load, 3, AREA.AREA_CYCLES).set(this.cyc);
    // The allowances: instructions up to the budget (at most
    // FUEL_INSTRUCTIONS), and cycles such that a block whose total fits ends
    // before the cycle limit: floor(limit - cycles) - 1, at most FUEL_CYCLES.
    c.get(this.area).mem(OP.f64Load, 3, AREA.AREA_INSTRUCTION_LIMIT).get(this.n).op(OP.f64Sub);
    c.f64(FUEL_INSTRUCTIONS).op(OP.f64Min).f64(-1).op(OP.f64Max).op(OP.i32TruncF64S).tee(this.fuel).set(this.fuelAtEntry);
    c.get(this.area).mem(OP.f64Load, 3, AREA.AREA_CYCLE_LIMIT).get(this.cyc).op(OP.f64Sub).op(OP.f64Floor).f64(1).op(OP.f64Sub);
    c.f64(FUEL_CYCLES).op(OP.f64Min).f64(-1).op(OP.f64Max).op(OP.i32TruncF64S).tee(this.cycleFuel).set(this.cycleFuelAtEntry);
    this.doneLevel = this.open('block');
    this.dispatchLevel = this.open('loop');
    // Block j's label: opened (n - 1 - j)th, so that block 0's is innermost.
    // Without a branch back to a block after the first, block 0's code
    // starts at the loop's head, and there is no br_table (nor label 0).
    const first = this.dispatched ? 0 : 1;
    for (let i = blocks.length - 1; i >= first; i--) this.blockLevels[i] = this.open('block');
    if (this.dispatched) {
      c.get(this.next).brTable(
        blocks.map((_, i) => i),
        0,
      );
    }
    for (let i = 0; i < blocks.length; i++) {
      if (i >= first) this.close();
      this.selfLevel = this.open('loop');
      this.emitBlock(i);
      this.close();
    }
    this.close(); // the dispatch loop: every block ends in a branch
    c.op(OP.unreachable);
    this.close();
    // Epilogue: everything back to the area; the counters grow by what the allowances lost.
    c.get(this.n).get(this.fuelAtEntry).get(this.fuel).op(OP.i32Sub).op(OP.f64ConvertI32S).op(OP.f64Add).set(this.n);
    c.get(this.cyc).get(this.cycleFuelAtEntry).get(this.cycleFuel).op(OP.i32Sub).op(OP.f64ConvertI32S).op(OP.f64Add).set(this.cyc);
    for (let i = 0; i < 16; i++) c.get(this.area).get(this.r[i]).mem(OP.i32Store, 2, AREA.AREA_REGS + 4 * i);
    this.flagLocals().forEach((local, i) => c.get(this.area).get(local).mem(OP.i32Store, 2, AREA.AREA_FLAGS + 4 * i));
    c.get(this.area).get(this.n).mem(OP.f64Store, 3, AREA.AREA_INSTRUCTIONS);
    c.get(this.area).get(this.cyc).mem(OP.f64Store, 3, AREA.AREA_CYCLES);
    c.get(this.area).get(this.exitEip).mem(OP.i32Store, 2, AREA.AREA_EIP);
    c.get(this.area).get(this.exitBlock).mem(OP.i32Store, 2, AREA.AREA_EXIT_BLOCK);
    c.get(this.area).get(this.exitPosition).mem(OP.i32Store, 2, AREA.AREA_EXIT_POSITION);
    c.get(this.area).get(this.writeAddress).mem(OP.i32Store, 2, AREA.AREA_WRITE_ADDRESS);
    c.get(this.area).get(this.writeSize).mem(OP.i32Store, 2, AREA.AREA_WRITE_SIZE);
    this.foldOpcodeCounts();
    c.get(this.writeSize);
    return { params: [I32], results: [I32], code: c };
  }

  /** Adds the blocks' completions to the thread's opcode counts: per opcode
   * of the region, the sum over its blocks of completions times the
   * opcode's occurrences in the block (at most FUEL_INSTRUCTIONS in all, so
   * an i32). The part of a block a side exit left in is the caller's to add. */
  private foldOpcodeCounts(): void {
    const c = this.c;
    const occurrences = new Map<number, Map<number, number>>();
    this.plan.blocks.forEach((block, b) => {
      for (const ins of block.instructions) {
        const opcode = ins.header & 0xff;
        const perBlock = occurrences.get(opcode) ?? new Map<number, number>();
        perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
        occurrences.set(opcode, perBlock);
      }
    });
    for (const [opcode, perBlock] of occurrences) {
      const offset = AREA.AREA_OPCODE_COUNTS + 8 * opcode;
      c.get(this.area).get(this.area).mem(OP.f64Load, 3, offset);
      let terms = 0;
      for (const [b, times] of perBlock) {
        c.get(this.blockCounts[b]);
        if (times > 1) c.i32(times).op(OP.i32Mul);
        if (terms++ > 0) c.op(OP.i32Add);
      }
      c.op(OP.f64ConvertI32S).op(OP.f64Add).mem(OP.f64Store, 3, offset);
    }
  }

  /** Leaves the region before instruction `position` of the current block
   * (or after the last, position = length), at eip pushed by `eip`. */
  private leave(position: number, eip: () => void): void {
    const c = this.c;
    // The block's start charged all of it: give back what did not run.
    const k = this.plan.blocks[this.block].instructions.length;
    if (position < k) {
      c.get(this.fuel).i32(k - position).op(OP.i32Add).set(this.fuel);
      c.get(this.cycleFuel).i32(this.prefixCycles[k] - this.prefixCycles[position]).op(OP.i32Add).set(this.cycleFuel);
    }
    eip();
    c.set(this.exitEip);
    c.i32(this.block).set(this.exitBlock);
    c.i32(position).set(this.exitPosition);
    this.br(this.doneLevel);
  }

  /** Side exit before the current instruction if the condition on the stack holds. */
  private exitIf(): void {
    const address = this.plan.blocks[this.block].instructions[this.position].address;
    this.open('if');
    this.leave(this.position, () => this.c.i32(address));
    this.close();
  }

  private emitBlock(index: number): void {
    const c = this.c;
    const block = this.plan.blocks[index];
    const k = block.instructions.length;
    this.block = index;
    this.position = 0;
    this.known = this.knownAtEntry[index];
    this.prefixCycles = [0];
    for (const ins of block.instructions) this.prefixCycles.push(this.prefixCycles[this.prefixCycles.length - 1] + ins.cycles);
    // Charged in full at its start; runs only if neither allowance goes negative.
    c.get(this.fuel).i32(k).op(OP.i32Sub).tee(this.fuel);
    c.get(this.cycleFuel).i32(this.prefixCycles[k]).op(OP.i32Sub).tee(this.cycleFuel);
    c.op(OP.i32Or).i32(0).op(OP.i32LtS);
    this.exitIf();
    for (let i = 0; i < k; i++) {
      const ins = block.instructions[i];
      const before = this.known;
      this.position = i;
      this.tempsUsed = 0;
      this.wideUsed = 0;
      this.emitInstruction(ins, i === k - 1);
      if (this.known !== flagsAfter(ins, before)) throw new Error(`${ins.semantics.form.mnemonic}: the flag kind it leaves is not the one the region's analysis assumes`);
    }
  }

  /** The end of the block: its completion counted (the allowances were charged at its start). */
  private finishBlock(): void {
    const c = this.c;
    const counter = this.blockCounts[this.block];
    c.get(counter).i32(1).op(OP.i32Add).set(counter);
  }

  /** Goes on at static address `target`: in the region, or back to the interpreter. */
  private transferTo(target: number): void {
    const c = this.c;
    const index = this.plan.index.get(target);
    if (index === this.block) this.br(this.selfLevel);
    else if (index !== undefined && index > this.block) this.br(this.blockLevels[index]);
    else if (index !== undefined) {
      if (this.dispatched) c.i32(index).set(this.next);
      this.br(this.dispatchLevel);
    } else {
      this.leaveAtBlockEnd(() => c.i32(target));
    }
  }

  private leaveAtBlockEnd(eip: () => void): void {
    const c = this.c;
    eip();
    c.set(this.exitEip);
    c.i32(0).set(this.exitBlock);
    c.i32(0).set(this.exitPosition);
    this.br(this.doneLevel);
  }

  /** Goes on at the eip in local `target`: a return site of the region, else the interpreter. */
  private transferToDynamic(target: number): void {
    const c = this.c;
    for (const site of this.plan.returnSites) {
      c.get(target).i32(site).op(OP.i32Eq);
      this.open('if');
      this.transferTo(site);
      this.close();
    }
    this.leaveAtBlockEnd(() => c.get(target));
  }

  /** After an instruction that stored: leave if the store hit a flagged line. */
  private leaveIfWrote(eip: () => void): void {
    this.c.get(this.writeSize);
    this.open('if');
    this.leave(this.position + 1, eip);
    this.close();
  }

  // ---- operands -----------------------------------------------------------

  private reg(index: number): Code {
    return index === NO_REG ? this.c.i32(0) : this.c.get(this.r[index]);
  }

  /** Pushes the effective address; `espValue` stands for esp when given (pop m). */
  private ea(ins: PlannedInstruction, espValue?: number): void {
    const c = this.c;
    const base = (ins.header >>> 16) & 31;
    const index = (ins.header >>> 21) & 31;
    const scale = (ins.header >>> 26) & 3;
    const regOrEsp = (r: number): Code => (r === ESP && espValue !== undefined ? c.get(espValue) : this.reg(r));
    c.i32(ins.disp);
    if (base !== NO_REG) regOrEsp(base).op(OP.i32Add);
    if (index !== NO_REG) {
      regOrEsp(index);
      if (scale) c.i32(scale).op(OP.i32Shl);
      c.op(OP.i32Add);
    }
  }

  /** Side exit unless `size` bytes at the address in `local` are in RAM. */
  private checkAccess(local: number, size: number): void {
    this.c.get(local).i32(this.shape.ramSize - size).op(OP.i32GtU);
    this.exitIf();
  }

  private load(local: number, size: number, extend: 'zero' | 'sign' = 'zero'): void {
    const c = this.c;
    c.get(local);
    if (size === 4) c.mem(OP.i32Load, 0, 0);
    else if (size === 2) c.mem(OP.i32Load16U, 0, 0);
    else c.mem(OP.i32Load8U, 0, 0);
    if (extend === 'sign' && size < 4) c.i32(32 - 8 * size).op(OP.i32Shl).i32(32 - 8 * size).op(OP.i32ShrS);
  }

  /** Stores the value pushed by `value` (checked address in `local`); notes a flagged line. */
  private store(local: number, size: number, value: () => void): void {
    const c = this.c;
    c.get(local);
    value();
    c.mem(size === 4 ? OP.i32Store : size === 2 ? OP.i32Store16 : OP.i32Store8, 0, 0);
    c.get(local).i32(6).op(OP.i32ShrU).mem(OP.i32Load8U, 0, this.shape.lineFlagsBase);
    if (size > 1) c.get(local).i32(size - 1).op(OP.i32Add).i32(6).op(OP.i32ShrU).mem(OP.i32Load8U, 0, this.shape.lineFlagsBase).op(OP.i32Or);
    this.open('if');
    c.get(local).set(this.writeAddress);
    c.i32(size).set(this.writeSize);
    this.close();
  }

  private memorySize(kind: string): number {
    return kind === 'm8' ? 1 : kind === 'm16' ? 2 : 4;
  }

  // ---- flags ----------------------------------------------------------------

  private setFlags(op: number, a: number | null, b: number | null, res: number): void {
    const c = this.c;
    c.i32(op).set(this.f.op);
    if (a !== null) c.get(a).set(this.f.a);
    if (b !== null) c.get(b).set(this.f.b);
    c.get(res).set(this.f.res);
    this.known = op;
  }

  /** dst OP src as Cpu.alu: result in a new temp. */
  private alu(op: string, a: number, b: number): number {
    const c = this.c;
    const { flags, operator, withCarry } = ALU[op];
    const r = this.temp();
    if (withCarry) {
      emitCf(c, this.f, this.known);
      c.set(this.f.carry);
    }
    c.get(a).get(b).op(operator);
    if (withCarry) c.get(this.f.carry).op(operator);
    c.set(r);
    this.setFlags(flags, a, b, r);
    return r;
  }

  /** inc/dec: CF kept in carry. */
  private step(a: number, delta: 1 | -1): number {
    const c = this.c;
    const r = this.temp();
    emitCf(c, this.f, this.known);
    c.set(this.f.carry);
    c.get(a).i32(delta).op(OP.i32Add).set(r);
    this.setFlags(delta === 1 ? LAZY.FLAGS_INC : LAZY.FLAGS_DEC, null, null, r);
    return r;
  }

  /** Shifts and rotates as Cpu.shift; the count (masked) in local `count`.
   * Writes the result into `value` (unchanged for a zero count). */
  private shift(op: string, value: number, count: number, staticCount: number | null): void {
    const c = this.c;
    const f = this.f;
    const before = this.known;
    if (staticCount === 0) return;
    if (staticCount === null) {
      c.get(count);
      this.open('if');
    }
    const a = this.temp();
    c.get(value).set(a);
    const cf = this.temp();
    const of = this.temp();
    switch (op) {
      case 'shl':
        c.get(a).get(count).op(OP.i32Shl).set(value);
        c.get(a).i32(32).get(count).op(OP.i32Sub).op(OP.i32ShrU).i32(1).op(OP.i32And).set(cf);
        c.get(value).i32(31).op(OP.i32ShrU).get(cf).op(OP.i32Xor).set(of);
        break;
      case 'shr':
        c.get(a).get(count).op(OP.i32ShrU).set(value);
        c.get(a).get(count).i32(1).op(OP.i32Sub).op(OP.i32ShrU).i32(1).op(OP.i32And).set(cf);
        c.get(value).i32(1).op(OP.i32Shl).get(value).op(OP.i32Xor).i32(31).op(OP.i32ShrU).set(of);
        break;
      case 'sar':
        c.get(a).get(count).op(OP.i32ShrS).set(value);
        c.get(a).get(count).i32(1).op(OP.i32Sub).op(OP.i32ShrS).i32(1).op(OP.i32And).set(cf);
        c.i32(0).set(of);
        break;
      case 'rol':
        c.get(a).get(count).op(OP.i32Rotl).set(value);
        c.get(value).i32(1).op(OP.i32And).set(cf);
        c.get(value).i32(31).op(OP.i32ShrU).get(cf).op(OP.i32Xor).set(of);
        break;
      default:
        c.get(a).get(count).op(OP.i32Rotr).set(value);
        c.get(value).i32(31).op(OP.i32ShrU).set(cf);
        c.get(value).i32(31).op(OP.i32ShrU).get(value).i32(30).op(OP.i32ShrU).op(OP.i32Xor).i32(1).op(OP.i32And).set(of);
    }
    if (op === 'rol' || op === 'ror') {
      // Rotates leave ZF and SF alone: the state becomes explicit eflags.
      emitZfSf(c, f, before, 6);
      c.i32(6).op(OP.i32Shl);
      emitZfSf(c, f, before, 7);
      c.i32(7).op(OP.i32Shl).op(OP.i32Or).get(cf).op(OP.i32Or).get(of).i32(11).op(OP.i32Shl).op(OP.i32Or).set(f.eflags);
      c.i32(LAZY.FLAGS_ALL).set(f.op);
      this.known = LAZY.FLAGS_ALL;
    } else {
      c.i32(LAZY.FLAGS_CO).set(f.op);
      c.get(value).set(f.res);
      c.get(cf).set(f.carry);
      c.get(of).set(f.over);
      this.known = LAZY.FLAGS_CO;
    }
    if (staticCount === null) {
      this.close();
      this.known = UNKNOWN;
    }
  }

  /** mul/imul flags: CF = OF = overflow (in `overflow`), ZF SF from the low half. */
  private multiplyFlags(low: number, overflow: number): void {
    const c = this.c;
    c.i32(LAZY.FLAGS_CO).set(this.f.op);
    c.get(low).set(this.f.res);
    c.get(overflow).set(this.f.carry);
    c.get(overflow).set(this.f.over);
    this.known = LAZY.FLAGS_CO;
  }

  // ---- instructions ---------------------------------------------------------

  private emitInstruction(ins: PlannedInstruction, last: boolean): void {
    const c = this.c;
    const { form, behaviour } = ins.semantics;
    const kinds = form.operands;
    const length = LENGTH_BY_OPCODE[form.opcode];
    const nextEip = (ins.address + length) | 0;
    const ra = (ins.header >>> 8) & 15;
    const rb = (ins.header >>> 12) & 15;
    const memIndex = kinds.findIndex((k) => k === 'm' || k === 'm8' || k === 'm16');
    let stored = false;
    // The memory operand's address, checked before anything changes.
    let address = -1;
    if (memIndex >= 0 && behaviour.kind !== 'lea' && behaviour.kind !== 'pop') {
      address = this.temp();
      this.ea(ins);
      c.set(address);
      this.checkAccess(address, this.memorySize(kinds[memIndex]));
    }
    /** Pushes operand i's value: a register, the immediate, or the loaded memory operand. */
    const value = (i: number, extend: 'zero' | 'sign' = 'zero') => {
      const kind = kinds[i];
      if (kind === 'r') this.reg(i === 0 || kinds[0] !== 'r' ? ra : rb);
      else if (kind === 'm' || kind === 'm8' || kind === 'm16') this.load(address, this.memorySize(kind), extend);
      else c.i32(ins.imm);
    };
    const valueInto = (i: number) => {
      const t = this.temp();
      value(i);
      c.set(t);
      return t;
    };
    /** Writes local `v` to operand 0. */
    const writeBack = (v: number) => {
      if (kinds[0] === 'r') c.get(v).set(this.r[ra]);
      else {
        this.store(address, this.memorySize(kinds[0]), () => c.get(v));
        stored = true;
      }
    };
    /** Pushes, with the stack address checked; returns the new esp's local. */
    const checkPush = () => {
      const sp = this.temp();
      c.get(this.r[ESP]).i32(4).op(OP.i32Sub).set(sp);
      this.checkAccess(sp, 4);
      return sp;
    };
    const push = (sp: number, v: () => void) => {
      this.store(sp, 4, v);
      stored = true;
      c.get(sp).set(this.r[ESP]);
    };

    switch (behaviour.kind) {
      case 'nop':
        break;
      case 'move': {
        const v = this.temp();
        value(1, behaviour.extend);
        c.set(v);
        writeBack(v);
        break;
      }
      case 'lea':
        this.ea(ins);
        c.set(this.r[ra]);
        break;
      case 'alu': {
        const a = valueInto(0);
        const b = valueInto(1);
        const r = this.alu(behaviour.op, a, b);
        if (behaviour.write) writeBack(r);
        break;
      }
      case 'not': {
        const a = valueInto(0);
        c.get(a).i32(-1).op(OP.i32Xor).set(a);
        writeBack(a);
        break;
      }
      case 'neg': {
        const zero = this.temp();
        c.i32(0).set(zero);
        const a = valueInto(0);
        writeBack(this.alu('sub', zero, a));
        break;
      }
      case 'inc':
      case 'dec':
        writeBack(this.step(valueInto(0), behaviour.kind === 'inc' ? 1 : -1));
        break;
      case 'shift': {
        const a = valueInto(0);
        const count = this.temp();
        const staticCount = kinds[1] === 'i' ? ins.imm & 31 : null;
        if (staticCount === null) c.get(this.r[rb]).i32(31).op(OP.i32And).set(count);
        else c.i32(staticCount).set(count);
        this.shift(behaviour.op, a, count, staticCount);
        writeBack(a);
        break;
      }
      case 'carry': {
        emitArith(c, this.f, this.known);
        if (behaviour.carry === 'clear') c.i32(~1).op(OP.i32And);
        else c.i32(1).op(behaviour.carry === 'set' ? OP.i32Or : OP.i32Xor);
        c.set(this.f.eflags);
        c.i32(LAZY.FLAGS_ALL).set(this.f.op);
        this.known = LAZY.FLAGS_ALL;
        break;
      }
      case 'multiply':
        this.emitMultiply(ins, behaviour.signed, value);
        break;
      case 'divide':
        this.emitDivide(behaviour.signed, value);
        break;
      case 'xchg': {
        if (kinds[1] === 'r') {
          const t = valueInto(0);
          c.get(this.r[rb]).set(this.r[ra]);
          c.get(t).set(this.r[rb]);
        } else {
          const old = this.temp();
          this.load(address, 4);
          c.set(old);
          this.store(address, 4, () => c.get(this.r[ra]));
          stored = true;
          c.get(old).set(this.r[ra]);
        }
        break;
      }
      case 'cmpxchg': {
        const old = valueInto(0);
        const eax = this.temp();
        c.get(this.r[0]).set(eax);
        this.alu('sub', eax, old);
        const src = this.temp();
        c.get(kinds[0] === 'r' ? this.r[rb] : this.r[ra]).set(src);
        c.get(this.r[0]).get(old).op(OP.i32Eq);
        this.open('if');
        if (kinds[0] === 'r') c.get(src).set(this.r[ra]);
        else {
          this.store(address, 4, () => c.get(src));
          stored = true;
        }
        c.op(OP.else);
        c.get(old).set(this.r[0]);
        this.close();
        break;
      }
      case 'push': {
        const v = valueInto(0);
        const sp = checkPush();
        push(sp, () => c.get(v));
        break;
      }
      case 'pop': {
        const sp = this.temp();
        c.get(this.r[ESP]).set(sp);
        this.checkAccess(sp, 4);
        const v = this.temp();
        if (kinds[0] === 'r') {
          this.load(sp, 4);
          c.set(v);
          c.get(sp).i32(4).op(OP.i32Add).set(this.r[ESP]);
          c.get(v).set(this.r[ra]);
        } else {
          // The SDM: an esp-based destination is computed after esp is incremented.
          const after = this.temp();
          c.get(sp).i32(4).op(OP.i32Add).set(after);
          address = this.temp();
          this.ea(ins, after);
          c.set(address);
          this.checkAccess(address, 4);
          this.load(sp, 4);
          c.set(v);
          c.get(after).set(this.r[ESP]);
          this.store(address, 4, () => c.get(v));
          stored = true;
        }
        break;
      }
      case 'call':
      case 'jmp': {
        const target = this.temp();
        if (kinds[0] === 'rel') c.i32((nextEip + ins.imm) | 0);
        else value(0);
        c.set(target);
        if (behaviour.kind === 'call') push(checkPush(), () => c.i32(nextEip));
        if (stored) this.leaveIfWrote(() => c.get(target));
        this.finishBlock();
        if (kinds[0] === 'rel') this.transferTo((nextEip + ins.imm) | 0);
        else this.transferToDynamic(target);
        return;
      }
      case 'ret': {
        const sp = this.temp();
        c.get(this.r[ESP]).set(sp);
        this.checkAccess(sp, 4);
        const target = this.temp();
        this.load(sp, 4);
        c.set(target);
        c.get(sp).i32(4).op(OP.i32Add).set(this.r[ESP]);
        this.finishBlock();
        this.transferToDynamic(target);
        return;
      }
      case 'jcc': {
        this.finishBlock();
        emitCondition(c, this.f, this.known, behaviour.cc);
        this.open('if');
        this.transferTo((nextEip + ins.imm) | 0);
        this.close();
        this.transferTo(nextEip);
        return;
      }
      case 'interpreter':
        throw new Error(`${form.mnemonic} is left to the interpreter`);
    }
    if (stored) this.leaveIfWrote(() => c.i32(nextEip));
    if (last) {
      this.finishBlock();
      this.transferTo(nextEip);
    }
  }

  private emitMultiply(ins: PlannedInstruction, signed: boolean, value: (i: number) => void): void {
    const c = this.c;
    const kinds = ins.semantics.form.operands;
    const twoOperand = kinds.length === 2;
    const ra = (ins.header >>> 8) & 15;
    const product = this.wide();
    const extend = signed ? OP.i64ExtendI32S : OP.i64ExtendI32U;
    this.reg(twoOperand ? ra : 0);
    c.op(extend);
    value(twoOperand ? 1 : 0);
    c.op(extend).op(OP.i64Mul).set(product);
    const low = this.temp();
    const high = this.temp();
    const overflow = this.temp();
    c.get(product).op(OP.i32WrapI64).set(low);
    c.get(product).i32(32);
    c.op(OP.i64ExtendI32U).op(OP.i64ShrU).op(OP.i32WrapI64).set(high);
    if (signed) c.get(high).get(low).i32(31).op(OP.i32ShrS).op(OP.i32Ne).set(overflow);
    else c.get(high).i32(0).op(OP.i32Ne).set(overflow);
    if (twoOperand) c.get(low).set(this.r[ra]);
    else {
      c.get(low).set(this.r[0]);
      c.get(high).set(this.r[2]);
    }
    this.multiplyFlags(low, overflow);
  }

  private emitDivide(signed: boolean, value: (i: number) => void): void {
    const c = this.c;
    const divisor = this.temp();
    value(0);
    c.set(divisor);
    const dividend = this.wide();
    // edx:eax as a 64-bit value.
    c.get(this.r[2]).op(signed ? OP.i64ExtendI32S : OP.i64ExtendI32U).i32(32).op(OP.i64ExtendI32U).op(OP.i64Shl);
    c.get(this.r[0]).op(OP.i64ExtendI32U).op(OP.i64Or).set(dividend);
    const quotient = this.wide();
    if (signed) {
      // #DE on zero and an idiv by -1 are the interpreter's to raise or compute.
      c.get(divisor).op(OP.i32Eqz).get(divisor).i32(-1).op(OP.i32Eq).op(OP.i32Or);
      this.exitIf();
      c.get(dividend).get(divisor).op(OP.i64ExtendI32S).op(OP.i64DivS).set(quotient);
      // #DE unless the quotient fits in 32 signed bits.
      c.get(quotient).i32(0x40000000).op(OP.i64ExtendI32U).i32(1).op(OP.i64ExtendI32U).op(OP.i64Shl).op(OP.i64Add);
      c.i32(-1).op(OP.i64ExtendI32U).op(OP.i64GtU);
      this.exitIf();
      c.get(quotient).op(OP.i32WrapI64).set(this.r[0]);
      c.get(dividend).get(divisor).op(OP.i64ExtendI32S).op(OP.i64RemS).op(OP.i32WrapI64).set(this.r[2]);
    } else {
      c.get(divisor).op(OP.i32Eqz).get(this.r[2]).get(divisor).op(OP.i32GeU).op(OP.i32Or);
      this.exitIf();
      c.get(dividend).get(divisor).op(OP.i64ExtendI32U).op(OP.i64DivU).set(quotient);
      const remainder = this.temp();
      c.get(dividend).get(divisor).op(OP.i64ExtendI32U).op(OP.i64RemU).op(OP.i32WrapI64).set(remainder);
      c.get(quotient).op(OP.i32WrapI64).set(this.r[0]);
      c.get(remainder).set(this.r[2]);
    }
  }
}

/** The module of one region: the CF and OF helpers, then the region's function. */
export function compileRegion(plan: RegionPlan, shape: MachineShape): Uint8Array<ArrayBuffer> {
  const cf = flagHelper(emitCf, [LAZY.FLAGS_ADD, LAZY.FLAGS_ADC, LAZY.FLAGS_SUB, LAZY.FLAGS_SBB, LAZY.FLAGS_LOGIC, LAZY.FLAGS_ALL], LAZY.FLAGS_CO);
  const of = flagHelper(emitOf, [LAZY.FLAGS_ADD, LAZY.FLAGS_ADC, LAZY.FLAGS_SUB, LAZY.FLAGS_SBB, LAZY.FLAGS_LOGIC, LAZY.FLAGS_INC, LAZY.FLAGS_DEC, LAZY.FLAGS_CO], LAZY.FLAGS_ALL);
  const main = new RegionEmitter(plan, shape).emit();
  return encodeModule([cf, of, main], shape.pages, 2);
}

/** Whether the compiler has code for this behaviour. */
export function compilable(behaviour: Behaviour): boolean {
  return behaviour.kind !== 'interpreter';
}
