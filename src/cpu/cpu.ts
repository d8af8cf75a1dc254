// One hardware thread: registers, flags, interrupt state and the interpreter.
//
// The interpreter loop is the emulator's hot path. It keeps eip, the cycle
// and instruction counts in locals, dispatches on literal opcodes (so V8
// builds a jump table; test/isa-dispatch.test.ts checks every label against
// src/isa/table.ts), allocates nothing and logs nothing. A guest fault
// throws the preallocated GUEST_FAULT sentinel, caught at the loop, which
// delivers the exception; eip is only advanced once an instruction can no
// longer fault, so faults are precise.

import { COUNTER_ZERO } from '../timing/counter.ts';
import { CYCLES_BY_OPCODE } from '../isa/table.ts';
import { ALLOWED_BITS_BY_OPCODE, LENGTH_BY_OPCODE, NO_REG } from '../isa/encoding.ts';
import { LINE_CODE, LINE_SHIFT, type Memory } from '../memory/memory.ts';
import type { PortBus } from '../devices/bus.ts';
import type { InterruptController } from '../devices/interrupts.ts';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE } from './vmx/ept.ts';
import { EXIT } from './vmx/exit-reasons.ts';
import type { ExitRecorder } from './vmx/exit-stats.ts';
import { EXIT_CTL, INSN_INFO, INTR_INFO, IO_QUAL, PIN, PROC, PROC2, THREAD_REG } from './vmx/controls.ts';
import { F } from './vmx/vmcs.ts';
import { ExitInfo, Vmx, type VmxCosts } from './vmx/vmx.ts';
import { divS64, divU64, mulS32, mulU32, wide } from './arith.ts';
import { executeCpuid, type CpuidConfig } from './cpuid.ts';
import { STATE_HALTED, STATE_MWAIT, STATE_RUNNING, STATE_STALLED } from './thread-state.ts';
import { MSR, msrValue, readMsr, readTsc, writeMsr } from './msr.ts';
import type { Jit } from '../jit/jit.ts';
import { AREA_OPCODE_COUNTS, AREA_REGS } from '../jit/layout.ts';
import {
  EFLAGS_FIXED,
  EFLAGS_IF,
  FLAGS_ADC,
  FLAGS_ADD,
  FLAGS_ALL,
  FLAGS_CO,
  FLAGS_DEC,
  FLAGS_INC,
  FLAGS_LOGIC,
  FLAGS_SBB,
  FLAGS_SUB,
  LazyFlags,
} from './flags.ts';

/** Exception vectors. */
export const VECTOR_DE = 0;
export const VECTOR_UD = 6;
export const VECTOR_GP = 13;

/** Why `run` returned. */
export const STOP_BUDGET = 0; // instruction or cycle limit of this slice reached
export const STOP_HALT = 1; // hlt executed
export const STOP_MWAIT = 2; // mwait went to sleep
export const STOP_IO = 3; // an out instruction: devices may have changed state
export const STOP_TRIPLE_FAULT = 4; // an exception could not be delivered
export const STOP_INTERRUPT_WINDOW = 5; // IF was set with an interrupt pending
export const STOP_VMX = 6; // a VM entry or exit: the thread changed worlds

const ALU_ADD = 0, ALU_ADC = 1, ALU_SUB = 2, ALU_SBB = 3, ALU_AND = 4, ALU_OR = 5, ALU_XOR = 6;
const SH_SHL = 0, SH_SHR = 1, SH_SAR = 2, SH_ROL = 3, SH_ROR = 4;

const DECODED_MARK = 0x80000000 | 0;
const ESP = 4;

/** Thrown (never allocated anew) to unwind from a faulting access to the loop. */
const GUEST_FAULT = { guestFault: true };
/** Thrown to unwind from an instruction or access that makes the guest exit. */
const GUEST_EXIT = { guestExit: true };

export interface CpuConfig extends CpuidConfig {
  /** Index of this hardware thread in the core. */
  id: number;
  vmxCosts: VmxCosts;
  exits: ExitRecorder;
  /** The core's hardware thread `id` (the hw-mode extension names threads). */
  thread(id: number): Cpu | undefined;
}

/** Levels a thread's time is accounted to: its root-operation software and its guest. */
export const MAX_LEVELS = 4;

export class Cpu {
  /** eax..r15, plus a constant zero at index 16 used for "no base/index". */
  readonly regs: Int32Array;
  eip = 0;
  readonly flags = new LazyFlags();
  /** IF: external interrupts are taken. */
  interruptsEnabled = 0;
  /** Interrupts are held off until this instruction count (the sti shadow). */
  interruptShadowEnd = COUNTER_ZERO;
  idtBase = 0;
  idtCount = 0;
  state = STATE_RUNNING;
  monitorLine = -1;
  monitorTriggered = false;
  /** mwait's ECX bit 0: a masked interrupt still ends the wait. */
  mwaitBreakOnMasked = false;

  /** This thread's clock, in cycles, and its executed-instruction count. */
  cycles = COUNTER_ZERO;
  instructions = COUNTER_ZERO;
  tscOffsetLo = 0;
  tscOffsetHi = 0;
  /** Instructions executed per opcode. */
  readonly opcodeCounts: Float64Array;
  /** This thread's area in the machine's WebAssembly memory (src/jit/layout.ts):
   * the registers and opcode counts live there, shared with compiled regions. */
  readonly area: number;
  /** The region compiler, when it is on (Machine attaches it). */
  jit: Jit | null = null;
  /** Exceptions and interrupts delivered per vector. */
  readonly vectorCounts = new Float64Array(256);
  /** Set when run() returns STOP_TRIPLE_FAULT. */
  tripleFaultReason = '';

  private faultVector = 0;
  /** Set by the core when this thread's write must be seen by another thread
   * now (it wrote a line another thread monitors): the slice ends after the
   * current instruction. */
  sliceBreak = false;
  /** A thread other than the first waits, like an x86 application processor
   * waiting for its startup IPI, until software starts it (docs/smt.md). */
  waitingForStart = false;
  /** 1 while an instruction that made the guest exit is being turned into the exit. */
  private exitingInstruction = 0;
  /** Why the guest exits, for the GUEST_EXIT unwind. */
  private exitReason = 0;
  private readonly exitInfo = new ExitInfo();

  readonly vmx: Vmx;
  /** EPT translation is on: memory addresses are guest-physical. */
  translating = false;
  /** The last translated code page (guest page number and its physical base). */
  private codePage = -1;
  private codeBase = 0;

  /** The level running in root operation and the one in its guest (depth 1: L0 and L1). */
  hostLevel = 0;
  guestLevel = 1;
  /** Instructions, cycles and instructions per opcode (level * 256 + opcode), per level. */
  readonly levelInstructions = new Float64Array(MAX_LEVELS);
  readonly levelCycles = new Float64Array(MAX_LEVELS);
  readonly levelOpcodeCounts = new Float64Array(MAX_LEVELS * 256);
  private readonly opcodeCountsAtSwitch = new Float64Array(256);
  private level = 0;
  private levelSinceInstructions = COUNTER_ZERO;
  private levelSinceCycles = COUNTER_ZERO;

  constructor(
    private readonly memory: Memory,
    private readonly bus: PortBus,
    private readonly interrupts: InterruptController,
    private readonly config: CpuConfig,
  ) {
    this.vmx = new Vmx(this, memory, config.vmxCosts, config.exits);
    this.area = memory.threadArea(config.id);
    this.regs = new Int32Array(memory.wasm.buffer, this.area + AREA_REGS, NO_REG + 1);
    this.opcodeCounts = new Float64Array(memory.wasm.buffer, this.area + AREA_OPCODE_COUNTS, 256);
  }

  /** Starts a waiting thread at `eip` with `esp`, at cycle `now`: every
   * other register zero, interrupts disabled. False if it is not waiting. */
  start(eip: number, esp: number, now: number): boolean {
    if (!this.waitingForStart) return false;
    this.waitingForStart = false;
    this.regs.fill(0);
    this.regs[ESP] = esp;
    this.eip = eip;
    this.eflags = 2;
    this.state = STATE_RUNNING;
    if (this.cycles < now) this.cycles = now;
    return true;
  }

  /** The physical address of `address` as this thread sees it now (through
   * its guest's EPT in non-root operation), or -1 if it is not mapped.
   * Changes nothing: for tools such as traces. */
  physicalAddress(address: number, fetch = true): number {
    if (!this.translating) return address >>> 0;
    return this.vmx.ept.translate(address >>> 0, fetch ? ACCESS_FETCH : ACCESS_READ);
  }

  /** The level running now. */
  get currentLevel(): number {
    return this.level;
  }

  /** Charges what ran since the last switch to the level that ran it, and switches. */
  switchLevel(level: number): void {
    this.levelInstructions[this.level] += this.instructions - this.levelSinceInstructions;
    this.levelCycles[this.level] += this.cycles - this.levelSinceCycles;
    const base = this.level * 256;
    const counts = this.opcodeCounts;
    const atSwitch = this.opcodeCountsAtSwitch;
    const levelCounts = this.levelOpcodeCounts;
    // At every VM entry and exit, and only a few opcodes ran since the last:
    // the others are compared, not added to and stored.
    for (let op = 0; op < 256; op++) {
      const count = counts[op];
      if (count !== atSwitch[op]) {
        levelCounts[base + op] += count - atSwitch[op];
        atSwitch[op] = count;
      }
    }
    this.levelSinceInstructions = this.instructions;
    this.levelSinceCycles = this.cycles;
    this.level = level;
  }

  /** Drops every cached EPT translation of this thread: the EPT cache's and
   * the code page's (invept). */
  flushEptTranslations(): void {
    this.vmx.ept.flush();
    this.codePage = -1;
  }

  /** Turns EPT translation of this thread's accesses on or off (VM entry and exit). */
  setTranslation(on: boolean): void {
    this.translating = on;
    this.codePage = -1;
  }

  get id(): number {
    return this.config.id;
  }

  get threadExtension(): boolean {
    return this.config.threadExtension;
  }

  /** The core's hardware thread `id`. */
  thread(id: number): Cpu | undefined {
    return this.config.thread(id >>> 0);
  }

  /** wrmsr to IA32_X2APIC_ICR: an inter-processor interrupt. The sender's
   * slice ends after the wrmsr, so that the destination takes it at the
   * sender's time (as a store to a monitored line wakes a waiter). */
  sendIpi(thread: number, vector: number): boolean {
    const destination = this.config.thread(thread);
    if (!destination) return false;
    destination.interrupts.raise(vector);
    this.sliceBreak = true;
    return true;
  }

  /** This thread's interrupt lines (a hw-mode guest thread watches its hypervisor's too). */
  get interruptLines(): InterruptController {
    return this.interrupts;
  }

  /** hw mode: the interrupt lines of the hypervisor thread this guest thread
   * runs for; its interrupts make the guest exit as the guest's own do. */
  hostInterrupts: InterruptController | null = null;

  private get anyInterruptPending(): boolean {
    return this.interrupts.hasPending || (this.hostInterrupts !== null && this.hostInterrupts.hasPending);
  }

  // ---- eflags -------------------------------------------------------------

  get eflags(): number {
    return this.flags.arith() | EFLAGS_FIXED | (this.interruptsEnabled ? EFLAGS_IF : 0);
  }

  set eflags(value: number) {
    this.flags.setArith(value);
    this.interruptsEnabled = (value & EFLAGS_IF) !== 0 ? 1 : 0;
  }

  // ---- memory access (guest-physical; faults are #GP) ----------------------

  private fault(vector: number): never {
    this.faultVector = vector;
    throw GUEST_FAULT;
  }

  // ---- guest-physical accesses under EPT: translated page by page --------------

  /** The physical address of guest-physical `a`, or an EPT-violation exit. */
  private translate(a: number, access: number): number {
    const pa = this.vmx.ept.translate(a >>> 0, access);
    if (pa < 0) {
      const info = this.exitInfo;
      info.qualification = this.vmx.ept.violationQualification;
      info.guestPhysicalAddress = a >>> 0;
      this.exitReason = EXIT.EPT_VIOLATION;
      throw GUEST_EXIT;
    }
    return pa;
  }

  /** Reads `size` bytes little-endian at guest-physical `a`, byte by byte across pages. */
  private readTranslated(a: number, size: number): number {
    if ((a & 0xfff) + size <= 0x1000) {
      const pa = this.translate(a, ACCESS_READ);
      return size === 4 ? this.readPhysical32(pa) : size === 2 ? this.readPhysical16(pa) : this.readPhysical8(pa);
    }
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readPhysical8(this.translate((a + i) | 0, ACCESS_READ)) << (8 * i);
    return v;
  }

  private writeTranslated(a: number, v: number, size: number): void {
    if ((a & 0xfff) + size <= 0x1000) {
      const pa = this.translate(a, ACCESS_WRITE);
      if (size === 4) this.writePhysical32(pa, v);
      else if (size === 2) this.writePhysical16(pa, v);
      else this.writePhysical8(pa, v);
      return;
    }
    // Translate both pages first, so a violation on the second writes nothing.
    const firstPage = this.translate(a, ACCESS_WRITE) & ~0xfff;
    const secondPage = this.translate((a + size - 1) | 0, ACCESS_WRITE) & ~0xfff;
    for (let i = 0; i < size; i++) {
      const b = (a + i) | 0;
      const page = (b & ~0xfff) === (a & ~0xfff) ? firstPage : secondPage;
      this.writePhysical8(page | (b & 0xfff), v >>> (8 * i));
    }
  }

  private read32(a: number): number {
    return this.translating ? this.readTranslated(a, 4) : this.readPhysical32(a);
  }

  private read16(a: number): number {
    return this.translating ? this.readTranslated(a, 2) : this.readPhysical16(a);
  }

  private read8(a: number): number {
    return this.translating ? this.readTranslated(a, 1) : this.readPhysical8(a);
  }

  private write32(a: number, v: number): void {
    if (this.translating) this.writeTranslated(a, v, 4);
    else this.writePhysical32(a, v);
  }

  private write16(a: number, v: number): void {
    if (this.translating) this.writeTranslated(a, v, 2);
    else this.writePhysical16(a, v);
  }

  private write8(a: number, v: number): void {
    if (this.translating) this.writeTranslated(a, v, 1);
    else this.writePhysical8(a, v);
  }

  private readPhysical32(a: number): number {
    if ((a >>> 0) > this.memory.size - 4) this.fault(VECTOR_GP);
    if ((a & 3) === 0) return this.memory.words[a >>> 2];
    const b = this.memory.bytes;
    return b[a] | (b[a + 1] << 8) | (b[a + 2] << 16) | (b[a + 3] << 24);
  }

  private readPhysical16(a: number): number {
    if ((a >>> 0) > this.memory.size - 2) this.fault(VECTOR_GP);
    const b = this.memory.bytes;
    return b[a] | (b[a + 1] << 8);
  }

  private readPhysical8(a: number): number {
    if ((a >>> 0) >= this.memory.size) this.fault(VECTOR_GP);
    return this.memory.bytes[a];
  }

  private writePhysical32(a: number, v: number): void {
    const m = this.memory;
    if ((a >>> 0) > m.size - 4) this.fault(VECTOR_GP);
    if ((a & 3) === 0) m.words[a >>> 2] = v;
    else {
      const b = m.bytes;
      b[a] = v;
      b[a + 1] = v >>> 8;
      b[a + 2] = v >>> 16;
      b[a + 3] = v >>> 24;
    }
    if ((m.lineFlags[a >>> LINE_SHIFT] | m.lineFlags[(a + 3) >>> LINE_SHIFT]) !== 0) m.noteWrite(a, 4);
  }

  private writePhysical16(a: number, v: number): void {
    const m = this.memory;
    if ((a >>> 0) > m.size - 2) this.fault(VECTOR_GP);
    m.bytes[a] = v;
    m.bytes[a + 1] = v >>> 8;
    if ((m.lineFlags[a >>> LINE_SHIFT] | m.lineFlags[(a + 1) >>> LINE_SHIFT]) !== 0) m.noteWrite(a, 2);
  }

  private writePhysical8(a: number, v: number): void {
    const m = this.memory;
    if ((a >>> 0) >= m.size) this.fault(VECTOR_GP);
    m.bytes[a] = v;
    if (m.lineFlags[a >>> LINE_SHIFT] !== 0) m.noteWrite(a, 1);
  }

  private push(v: number): void {
    const sp = (this.regs[ESP] - 4) | 0;
    this.write32(sp, v);
    this.regs[ESP] = sp;
  }

  // ---- ALU ----------------------------------------------------------------

  /** dst OP src with flags; cmp is sub whose result the caller drops. */
  private alu(kind: number, a: number, b: number): number {
    const f = this.flags;
    let r: number;
    switch (kind) {
      case ALU_ADD:
        r = (a + b) | 0;
        f.op = FLAGS_ADD;
        break;
      case ALU_ADC:
        f.carry = f.cf();
        r = (a + b + f.carry) | 0;
        f.op = FLAGS_ADC;
        break;
      case ALU_SUB:
        r = (a - b) | 0;
        f.op = FLAGS_SUB;
        break;
      case ALU_SBB:
        f.carry = f.cf();
        r = (a - b - f.carry) | 0;
        f.op = FLAGS_SBB;
        break;
      case ALU_AND:
        r = a & b;
        f.op = FLAGS_LOGIC;
        break;
      case ALU_OR:
        r = a | b;
        f.op = FLAGS_LOGIC;
        break;
      default:
        r = a ^ b;
        f.op = FLAGS_LOGIC;
    }
    f.a = a;
    f.b = b;
    f.res = r;
    return r;
  }

  private inc(a: number): number {
    const f = this.flags;
    f.carry = f.cf();
    const r = (a + 1) | 0;
    f.op = FLAGS_INC;
    f.res = r;
    return r;
  }

  private dec(a: number): number {
    const f = this.flags;
    f.carry = f.cf();
    const r = (a - 1) | 0;
    f.op = FLAGS_DEC;
    f.res = r;
    return r;
  }

  /** Shifts and rotates. The count is masked to 5 bits; a zero count changes
   * nothing, flags included. For counts above 1, where the SDM leaves OF
   * undefined, OF follows the count-1 formula, as Bochs computes it. */
  private shift(kind: number, a: number, count: number): number {
    const c = count & 31;
    if (c === 0) return a;
    const f = this.flags;
    let r: number;
    let cf: number;
    let of: number;
    switch (kind) {
      case SH_SHL:
        r = a << c;
        cf = (a >>> (32 - c)) & 1;
        of = (r >>> 31) ^ cf;
        break;
      case SH_SHR:
        r = a >>> c;
        cf = (a >>> (c - 1)) & 1;
        of = ((r << 1) ^ r) >>> 31;
        r |= 0;
        break;
      case SH_SAR:
        r = a >> c;
        cf = (a >> (c - 1)) & 1;
        of = 0;
        break;
      case SH_ROL:
        r = (a << c) | (a >>> (32 - c));
        cf = r & 1;
        of = (r >>> 31) ^ cf;
        // Rotates leave ZF and SF alone.
        f.setArith((f.arith() & ~0x801) | cf | (of << 11));
        return r;
      default:
        r = (a >>> c) | (a << (32 - c));
        cf = r >>> 31;
        of = ((r >>> 31) ^ (r >>> 30)) & 1;
        f.setArith((f.arith() & ~0x801) | cf | (of << 11));
        return r;
    }
    f.op = FLAGS_CO;
    f.res = r;
    f.carry = cf;
    f.over = of;
    return r;
  }

  /** Flags after mul/imul: CF = OF = the result did not fit; ZF and SF, which
   * the SDM leaves undefined, follow the low half (as Bochs does). */
  private mulFlags(low: number, overflow: boolean): void {
    const f = this.flags;
    f.op = FLAGS_CO;
    f.res = low;
    f.carry = overflow ? 1 : 0;
    f.over = f.carry;
  }

  // ---- exceptions and interrupts --------------------------------------------

  /** Delivers `vector` with `returnEip` pushed: eflags, then eip; IF cleared.
   * False if the table has no such entry or the stack cannot take the frame.
   * In a guest the accesses go through EPT; a violation unwinds as GUEST_EXIT. */
  private deliver(vector: number, returnEip: number): boolean {
    if (vector >= this.idtCount) return false;
    try {
      const handler = this.read32((this.idtBase + vector * 4) | 0);
      const sp = this.regs[ESP];
      this.write32((sp - 4) | 0, this.eflags);
      this.write32((sp - 8) | 0, returnEip);
      this.regs[ESP] = (sp - 8) | 0;
      this.interruptsEnabled = 0;
      this.eip = handler;
      this.vectorCounts[vector]++;
      return true;
    } catch (e) {
      if (e === GUEST_FAULT) return false;
      throw e;
    }
  }

  /** Delivers an event at `this.eip`; a guest that cannot take it exits
   * (EPT violation or triple fault). False only for a triple fault in root operation. */
  private deliverOrExit(vector: number, returnEip: number): boolean {
    try {
      if (this.deliver(vector, returnEip)) return true;
    } catch (e) {
      if (e !== GUEST_EXIT) throw e;
      this.performExit(this.exitReason, this.eip);
      return true;
    }
    if (this.vmx.nonRoot) {
      this.exitReason = EXIT.TRIPLE_FAULT;
      this.performExit(EXIT.TRIPLE_FAULT, this.eip);
      return true;
    }
    return false;
  }

  /** Raises exception `vector` for the instruction at `eip`: a VM exit if the
   * guest's exception bitmap asks for one, else delivery. False for a triple fault. */
  private raiseException(vector: number, eip: number): boolean {
    this.eip = eip;
    if (this.vmx.nonRoot && (this.vmx.exceptionBitmap >>> vector) & 1) {
      this.exitInfo.interruptionInfo = vector | INTR_INFO.TYPE_HARDWARE_EXCEPTION | INTR_INFO.VALID;
      this.performExit(EXIT.EXCEPTION_NMI, eip);
      return true;
    }
    if (this.deliverOrExit(vector, eip)) return true;
    this.tripleFaultReason = `${VECTOR_NAMES[vector] ?? `vector ${vector}`} at eip 0x${(eip >>> 0).toString(16)} could not be delivered (interrupt table count ${this.idtCount}, esp 0x${(this.regs[ESP] >>> 0).toString(16)})`;
    return false;
  }

  /** Event injection at VM entry (VM_ENTRY_INTR_INFO_FIELD). A guest entered
   * in the HLT state becomes active: it runs the event's handler. */
  injectEvent(vector: number, instructionLength: number): void {
    this.state = STATE_RUNNING;
    this.deliverOrExit(vector, (this.eip + instructionLength) | 0);
  }

  /** Blocking by sti at this instruction boundary (for the exiting
   * instruction itself, whether it began inside the shadow). */
  get blockedBySti(): boolean {
    return this.instructions - this.exitingInstruction < this.interruptShadowEnd;
  }

  /** Makes the guest exit for `reason` with the exit information gathered in exitInfo. */
  private performExit(reason: number, guestEip: number): void {
    const info = this.exitInfo;
    this.vmx.exit(reason, guestEip, info);
    info.clear();
  }

  /** Makes the instruction at `eip` exit, its length and exit information
   * given; the run loop has stored the thread's counters. Returns STOP_VMX. */
  private exitAt(eip: number, reason: number, length: number, qualification = 0, instructionInfo = 0): number {
    const info = this.exitInfo;
    info.instructionLength = length;
    info.qualification = qualification;
    info.instructionInfo = instructionInfo;
    this.exitReason = reason;
    // The exiting instruction is counted, but it began before any sti shadow ended.
    this.exitingInstruction = 1;
    this.performExit(reason, eip);
    this.exitingInstruction = 0;
    return STOP_VMX;
  }

  /** Unwinds the current instruction into a VM exit, from inside an access
   * (an EPT violation) or a helper of a rare instruction. */
  private exitFor(reason: number, length: number, qualification = 0, instructionInfo = 0): never {
    const info = this.exitInfo;
    info.instructionLength = length;
    info.qualification = qualification;
    info.instructionInfo = instructionInfo;
    this.exitReason = reason;
    throw GUEST_EXIT;
  }

  /** Events that make a guest exit before its next instruction; true if one did. */
  private guestEventExit(): boolean {
    const vmx = this.vmx;
    if (this.cycles >= vmx.preemptionDeadline) {
      this.performExit(EXIT.PREEMPTION_TIMER, this.eip);
      return true;
    }
    if (vmx.pin & PIN.EXTERNAL_INTERRUPT_EXITING && this.anyInterruptPending) {
      if (vmx.vmcs.get(F.VM_EXIT_CONTROLS) & EXIT_CTL.ACK_INTERRUPT_ON_EXIT) {
        const lines = this.interrupts.hasPending ? this.interrupts : this.hostInterrupts!;
        this.exitInfo.interruptionInfo = lines.take() | INTR_INFO.TYPE_EXTERNAL_INTERRUPT | INTR_INFO.VALID;
      }
      this.performExit(EXIT.EXTERNAL_INTERRUPT, this.eip);
      return true;
    }
    if (vmx.proc & PROC.INTERRUPT_WINDOW_EXITING && this.interruptsEnabled && this.instructions >= this.interruptShadowEnd) {
      this.performExit(EXIT.INTERRUPT_WINDOW, this.eip);
      return true;
    }
    return false;
  }

  /** Takes the highest pending external interrupt if IF allows it now. False for a triple fault. */
  private takeInterrupt(): boolean {
    const vector = this.interrupts.take();
    this.state = STATE_RUNNING;
    if (this.deliverOrExit(vector, this.eip)) return true;
    this.tripleFaultReason = `interrupt vector ${vector} could not be delivered (interrupt table count ${this.idtCount}, esp 0x${(this.regs[ESP] >>> 0).toString(16)})`;
    return false;
  }

  /** Whether a sleeping thread has something to wake it. */
  get canWake(): boolean {
    if (this.state === STATE_MWAIT && this.monitorTriggered) return true;
    if (this.state === STATE_STALLED) return false;
    if (this.vmx.nonRoot && this.cycles >= this.vmx.preemptionDeadline) return true;
    if (this.vmx.nonRoot && this.vmx.pin & PIN.EXTERNAL_INTERRUPT_EXITING && this.anyInterruptPending) return true;
    if (!this.interrupts.hasPending) return false;
    if (this.vmx.nonRoot && this.vmx.pin & PIN.EXTERNAL_INTERRUPT_EXITING) return true;
    return this.interruptsEnabled !== 0 || (this.state === STATE_MWAIT && this.mwaitBreakOnMasked);
  }

  /** Whether an interrupt raised later (or the guest's preemption timer) could end this sleep. */
  get wakesOnEvent(): boolean {
    if (this.state === STATE_STALLED) return false;
    const vmx = this.vmx;
    if (vmx.nonRoot && (vmx.pin & PIN.EXTERNAL_INTERRUPT_EXITING || vmx.preemptionDeadline < Infinity)) return true;
    return this.interruptsEnabled !== 0 || (this.state === STATE_MWAIT && this.mwaitBreakOnMasked);
  }

  /** Ends an mwait or hlt because of a wake-up event (the instruction has
   * retired). A guest woken by an event it exits for exits now, and is saved
   * as halted. */
  wake(): void {
    if (this.vmx.nonRoot && this.guestEventExit()) return;
    this.state = STATE_RUNNING;
    this.disarmMonitor();
  }

  private disarmMonitor(): void {
    if (this.monitorLine >= 0) this.memory.disarmMonitor(this.monitorLine);
    this.monitorLine = -1;
    this.monitorTriggered = false;
  }

  /** Called by the machine when a MONITORED line is written. */
  noteMonitoredWrite(line: number): void {
    if (line === this.monitorLine) this.monitorTriggered = true;
  }

  /** The physical address of guest eip, through a one-page cache of the code page. */
  private fetchAddress(eip: number): number {
    const page = eip >>> 12;
    if (page === this.codePage) return this.codeBase | (eip & 0xfff);
    const pa = this.translate(eip, ACCESS_FETCH);
    this.codePage = page;
    this.codeBase = pa & ~0xfff;
    return pa;
  }

  private decodeAt(eip: number): number {
    const m = this.memory;
    const header = m.words[eip >>> 2];
    const opcode = header & 0xff;
    const length = LENGTH_BY_OPCODE[opcode];
    if (
      length === 0 ||
      (header & ~ALLOWED_BITS_BY_OPCODE[opcode]) !== 0 ||
      ((header >>> 16) & 31) > NO_REG ||
      ((header >>> 21) & 31) > NO_REG
    ) {
      this.fault(VECTOR_UD);
    }
    // An instruction may not cross a page (the assembler never places one so),
    // so that one address translation covers it.
    if (eip + length > m.size || (eip & 0xfff) + length > 0x1000) this.fault(VECTOR_GP);
    m.lineFlags[eip >>> LINE_SHIFT] |= LINE_CODE;
    const decoded = header | DECODED_MARK;
    m.decoded[eip >>> 2] = decoded;
    return decoded;
  }

  // ---- the interpreter ------------------------------------------------------

  /** Runs until `maxInstructions` more have executed, the clock reaches
   * `cycleLimit`, or the thread stops (STOP_*). Delivers a pending interrupt first. */
  run(maxInstructions: number, cycleLimit: number): number {
    if (this.vmx.nonRoot && this.guestEventExit()) return STOP_VMX;
    if (this.state !== STATE_RUNNING) return this.state === STATE_HALTED ? STOP_HALT : STOP_MWAIT;
    if (this.interruptsEnabled && this.interrupts.hasPending && this.instructions >= this.interruptShadowEnd) {
      const root = !this.vmx.nonRoot;
      if (!this.takeInterrupt()) return STOP_TRIPLE_FAULT;
      // An exit changes worlds, or (hw mode) stalls this thread in its guest.
      if (root !== !this.vmx.nonRoot || this.state !== STATE_RUNNING) return STOP_VMX;
    }
    if (this.vmx.preemptionDeadline < cycleLimit) cycleLimit = this.vmx.preemptionDeadline;
    this.sliceBreak = false;
    // In an sti shadow (after sti, or entered with blocking by sti), stop
    // when it ends, so that a pending interrupt or a guest's interrupt
    // window is noticed at once.
    if (this.interruptShadowEnd > this.instructions && this.interruptShadowEnd - this.instructions < maxInstructions) {
      maxInstructions = this.interruptShadowEnd - this.instructions;
    }
    const translating = this.translating;
    const regs = this.regs;
    const mem = this.memory;
    const words = mem.words;
    const decodedWords = mem.decoded;
    const size = mem.size;
    const cost = CYCLES_BY_OPCODE;
    const counts = this.opcodeCounts;
    const f = this.flags;
    const jit = this.jit;
    let eip = this.eip | 0;
    let cyc = this.cycles;
    let n = this.instructions;
    // The slice's instruction limit; nLimit is it, or with the compiler on the
    // next sampling point before it, so that sampling costs the loop nothing.
    let budgetEnd = n + maxInstructions;
    let nLimit = jit && !translating ? Math.min(budgetEnd, n + jit.interval) : budgetEnd;
    let stop = -1;

    for (;;) {
      try {
        while (stop < 0) {
          if (n >= nLimit || cyc >= cycleLimit || this.sliceBreak) {
            if (n < budgetEnd && cyc < cycleLimit && !this.sliceBreak) {
              jit!.sample(eip);
              nLimit = Math.min(budgetEnd, n + jit!.interval);
              continue;
            }
            stop = STOP_BUDGET;
            break;
          }
          if ((eip & 3) !== 0) this.fault(VECTOR_GP);
          const pa = translating ? this.fetchAddress(eip) : eip;
          if ((pa >>> 0) >= size) this.fault(VECTOR_GP);
          let d = decodedWords[pa >>> 2];
          if (d >= 0) {
            if (d === 0) d = this.decodeAt(pa);
            else {
              // A compiled region starts here: it runs while the limits allow.
              this.eip = eip;
              this.cycles = cyc;
              this.instructions = n;
              jit!.enter(this, d, budgetEnd, cycleLimit);
              if (this.instructions !== n) {
                eip = this.eip;
                cyc = this.cycles;
                n = this.instructions;
                continue;
              }
              d = jit!.decodedAt(pa);
            }
          }
          const op = d & 0xff;
          n++;
          cyc += cost[op];
          counts[op]++;
          const w = pa >>> 2;
          switch (op) {
            case 0x01 /* nop */:
              eip += 4;
              break;
            case 0x07 /* clc */:
              f.setArith(f.arith() & ~1);
              eip += 4;
              break;
            case 0x08 /* stc */:
              f.setArith(f.arith() | 1);
              eip += 4;
              break;
            case 0x09 /* cmc */:
              f.setArith(f.arith() ^ 1);
              eip += 4;
              break;
            case 0x0c /* ret */: {
              const target = this.read32(regs[ESP]);
              regs[ESP] = (regs[ESP] + 4) | 0;
              eip = target;
              break;
            }
            // ---- data movement
            case 0x20 /* mov r,r */:
              regs[(d >>> 8) & 15] = regs[(d >>> 12) & 15];
              eip += 4;
              break;
            case 0x21 /* mov r,i */:
              regs[(d >>> 8) & 15] = words[w + 1];
              eip += 8;
              break;
            case 0x22 /* mov r,m */:
              regs[(d >>> 8) & 15] = this.read32(this.ea(d, w));
              eip += 8;
              break;
            case 0x23 /* mov m,r */:
              this.write32(this.ea(d, w), regs[(d >>> 8) & 15]);
              eip += 8;
              break;
            case 0x24 /* mov m,i */:
              this.write32(this.ea(d, w), words[w + 2]);
              eip += 12;
              break;
            case 0x25 /* mov m8,r */:
              this.write8(this.ea(d, w), regs[(d >>> 8) & 15]);
              eip += 8;
              break;
            case 0x26 /* mov m8,i */:
              this.write8(this.ea(d, w), words[w + 2]);
              eip += 12;
              break;
            case 0x27 /* mov m16,r */:
              this.write16(this.ea(d, w), regs[(d >>> 8) & 15]);
              eip += 8;
              break;
            case 0x28 /* mov m16,i */:
              this.write16(this.ea(d, w), words[w + 2]);
              eip += 12;
              break;
            case 0x29 /* movzx r,m8 */:
              regs[(d >>> 8) & 15] = this.read8(this.ea(d, w));
              eip += 8;
              break;
            case 0x2a /* movzx r,m16 */:
              regs[(d >>> 8) & 15] = this.read16(this.ea(d, w));
              eip += 8;
              break;
            case 0x2b /* movsx r,m8 */:
              regs[(d >>> 8) & 15] = (this.read8(this.ea(d, w)) << 24) >> 24;
              eip += 8;
              break;
            case 0x2c /* movsx r,m16 */:
              regs[(d >>> 8) & 15] = (this.read16(this.ea(d, w)) << 16) >> 16;
              eip += 8;
              break;
            case 0x2d /* lea r,m */:
              regs[(d >>> 8) & 15] = this.ea(d, w);
              eip += 8;
              break;
            case 0x2e /* xchg r,r */: {
              const ra = (d >>> 8) & 15, rb = (d >>> 12) & 15;
              const t = regs[ra];
              regs[ra] = regs[rb];
              regs[rb] = t;
              eip += 4;
              break;
            }
            case 0x2f /* xchg r,m */: {
              const a = this.ea(d, w);
              const ra = (d >>> 8) & 15;
              const old = this.read32(a);
              this.write32(a, regs[ra]);
              regs[ra] = old;
              eip += 8;
              break;
            }
            case 0x31 /* cmpxchg m,r */: {
              const a = this.ea(d, w);
              const old = this.read32(a);
              this.alu(ALU_SUB, regs[0], old);
              if (regs[0] === old) this.write32(a, regs[(d >>> 8) & 15]);
              else regs[0] = old;
              eip += 8;
              break;
            }
            case 0x32 /* cmpxchg r,r */: {
              const ra = (d >>> 8) & 15;
              const old = regs[ra];
              this.alu(ALU_SUB, regs[0], old);
              if (regs[0] === old) regs[ra] = regs[(d >>> 12) & 15];
              else regs[0] = old;
              eip += 4;
              break;
            }
            // ---- two-operand ALU: r,r  r,i  r,m  m,r  m,i
            case 0x40 /* add r,r */:
            case 0x45 /* adc r,r */:
            case 0x4a /* sub r,r */:
            case 0x4f /* sbb r,r */:
            case 0x54 /* and r,r */:
            case 0x59 /* or r,r */:
            case 0x5e /* xor r,r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.alu(((op - 0x40) / 5) | 0, regs[ra], regs[(d >>> 12) & 15]);
              eip += 4;
              break;
            }
            case 0x63 /* cmp r,r */:
              this.alu(ALU_SUB, regs[(d >>> 8) & 15], regs[(d >>> 12) & 15]);
              eip += 4;
              break;
            case 0x41 /* add r,i */:
            case 0x46 /* adc r,i */:
            case 0x4b /* sub r,i */:
            case 0x50 /* sbb r,i */:
            case 0x55 /* and r,i */:
            case 0x5a /* or r,i */:
            case 0x5f /* xor r,i */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.alu(((op - 0x41) / 5) | 0, regs[ra], words[w + 1]);
              eip += 8;
              break;
            }
            case 0x64 /* cmp r,i */:
              this.alu(ALU_SUB, regs[(d >>> 8) & 15], words[w + 1]);
              eip += 8;
              break;
            case 0x42 /* add r,m */:
            case 0x47 /* adc r,m */:
            case 0x4c /* sub r,m */:
            case 0x51 /* sbb r,m */:
            case 0x56 /* and r,m */:
            case 0x5b /* or r,m */:
            case 0x60 /* xor r,m */: {
              const ra = (d >>> 8) & 15;
              const v = this.read32(this.ea(d, w));
              regs[ra] = this.alu(((op - 0x42) / 5) | 0, regs[ra], v);
              eip += 8;
              break;
            }
            case 0x65 /* cmp r,m */:
              this.alu(ALU_SUB, regs[(d >>> 8) & 15], this.read32(this.ea(d, w)));
              eip += 8;
              break;
            // A read-modify-write cannot fault on its write once its read of
            // the same address succeeded, so flags are never left half-done.
            case 0x43 /* add m,r */:
            case 0x48 /* adc m,r */:
            case 0x4d /* sub m,r */:
            case 0x52 /* sbb m,r */:
            case 0x57 /* and m,r */:
            case 0x5c /* or m,r */:
            case 0x61 /* xor m,r */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              const r = this.alu(((op - 0x43) / 5) | 0, v, regs[(d >>> 8) & 15]);
              this.write32(a, r);
              eip += 8;
              break;
            }
            case 0x66 /* cmp m,r */:
              this.alu(ALU_SUB, this.read32(this.ea(d, w)), regs[(d >>> 8) & 15]);
              eip += 8;
              break;
            case 0x44 /* add m,i */:
            case 0x49 /* adc m,i */:
            case 0x4e /* sub m,i */:
            case 0x53 /* sbb m,i */:
            case 0x58 /* and m,i */:
            case 0x5d /* or m,i */:
            case 0x62 /* xor m,i */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              const r = this.alu(((op - 0x44) / 5) | 0, v, words[w + 2]);
              this.write32(a, r);
              eip += 12;
              break;
            }
            case 0x67 /* cmp m,i */:
              this.alu(ALU_SUB, this.read32(this.ea(d, w)), words[w + 2]);
              eip += 12;
              break;
            case 0x68 /* test r,r */:
              this.alu(ALU_AND, regs[(d >>> 8) & 15], regs[(d >>> 12) & 15]);
              eip += 4;
              break;
            case 0x69 /* test r,i */:
              this.alu(ALU_AND, regs[(d >>> 8) & 15], words[w + 1]);
              eip += 8;
              break;
            case 0x6a /* test m,r */:
              this.alu(ALU_AND, this.read32(this.ea(d, w)), regs[(d >>> 8) & 15]);
              eip += 8;
              break;
            case 0x6b /* test m,i */:
              this.alu(ALU_AND, this.read32(this.ea(d, w)), words[w + 2]);
              eip += 12;
              break;
            // ---- one-operand ALU
            case 0x70 /* not r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = ~regs[ra];
              eip += 4;
              break;
            }
            case 0x71 /* not m */: {
              const a = this.ea(d, w);
              this.write32(a, ~this.read32(a));
              eip += 8;
              break;
            }
            case 0x72 /* neg r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.alu(ALU_SUB, 0, regs[ra]);
              eip += 4;
              break;
            }
            case 0x73 /* neg m */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              this.write32(a, this.alu(ALU_SUB, 0, v));
              eip += 8;
              break;
            }
            case 0x74 /* inc r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.inc(regs[ra]);
              eip += 4;
              break;
            }
            case 0x75 /* inc m */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              this.write32(a, this.inc(v));
              eip += 8;
              break;
            }
            case 0x76 /* dec r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.dec(regs[ra]);
              eip += 4;
              break;
            }
            case 0x77 /* dec m */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              this.write32(a, this.dec(v));
              eip += 8;
              break;
            }
            // ---- shifts and rotates: r,i  r,r  m,i
            case 0x78 /* shl r,i */:
            case 0x7b /* shr r,i */:
            case 0x7e /* sar r,i */:
            case 0x81 /* rol r,i */:
            case 0x84 /* ror r,i */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.shift(((op - 0x78) / 3) | 0, regs[ra], words[w + 1]);
              eip += 8;
              break;
            }
            case 0x79 /* shl r,r */:
            case 0x7c /* shr r,r */:
            case 0x7f /* sar r,r */:
            case 0x82 /* rol r,r */:
            case 0x85 /* ror r,r */: {
              const ra = (d >>> 8) & 15;
              regs[ra] = this.shift(((op - 0x79) / 3) | 0, regs[ra], regs[(d >>> 12) & 15]);
              eip += 4;
              break;
            }
            case 0x7a /* shl m,i */:
            case 0x7d /* shr m,i */:
            case 0x80 /* sar m,i */:
            case 0x83 /* rol m,i */:
            case 0x86 /* ror m,i */: {
              const a = this.ea(d, w);
              const v = this.read32(a);
              this.write32(a, this.shift(((op - 0x7a) / 3) | 0, v, words[w + 2]));
              eip += 12;
              break;
            }
            // ---- multiply and divide
            case 0x88 /* mul r */:
            case 0x89 /* mul m */: {
              const src = op === 0x88 ? regs[(d >>> 8) & 15] : this.read32(this.ea(d, w));
              mulU32(regs[0] >>> 0, src >>> 0);
              regs[0] = wide.lo;
              regs[2] = wide.hi;
              this.mulFlags(wide.lo, wide.hi !== 0);
              eip += op === 0x88 ? 4 : 8;
              break;
            }
            case 0x8a /* imul r */:
            case 0x8b /* imul m */: {
              const src = op === 0x8a ? regs[(d >>> 8) & 15] : this.read32(this.ea(d, w));
              mulS32(regs[0], src);
              regs[0] = wide.lo;
              regs[2] = wide.hi;
              this.mulFlags(wide.lo, wide.hi !== wide.lo >> 31);
              eip += op === 0x8a ? 4 : 8;
              break;
            }
            case 0x8c /* imul r,r */:
            case 0x8d /* imul r,m */:
            case 0x8e /* imul r,i */: {
              const ra = (d >>> 8) & 15;
              const src =
                op === 0x8c ? regs[(d >>> 12) & 15] : op === 0x8d ? this.read32(this.ea(d, w)) : words[w + 1];
              mulS32(regs[ra], src);
              regs[ra] = wide.lo;
              this.mulFlags(wide.lo, wide.hi !== wide.lo >> 31);
              eip += op === 0x8c ? 4 : 8;
              break;
            }
            case 0x8f /* div r */:
            case 0x90 /* div m */: {
              const divisor = (op === 0x8f ? regs[(d >>> 8) & 15] : this.read32(this.ea(d, w))) >>> 0;
              const hi = regs[2] >>> 0;
              if (divisor === 0 || hi >= divisor) this.fault(VECTOR_DE);
              divU64(hi, regs[0], divisor);
              regs[0] = wide.lo;
              regs[2] = wide.hi;
              eip += op === 0x8f ? 4 : 8;
              break;
            }
            case 0x91 /* idiv r */:
            case 0x92 /* idiv m */: {
              const divisor = op === 0x91 ? regs[(d >>> 8) & 15] : this.read32(this.ea(d, w));
              if (divisor === 0 || !divS64(regs[2], regs[0], divisor)) this.fault(VECTOR_DE);
              regs[0] = wide.lo;
              regs[2] = wide.hi;
              eip += op === 0x91 ? 4 : 8;
              break;
            }
            // ---- stack
            case 0x98 /* push r */:
              this.push(regs[(d >>> 8) & 15]);
              eip += 4;
              break;
            case 0x99 /* push i */:
              this.push(words[w + 1]);
              eip += 8;
              break;
            case 0x9a /* push m */:
              this.push(this.read32(this.ea(d, w)));
              eip += 8;
              break;
            case 0x9b /* pop r */: {
              const v = this.read32(regs[ESP]);
              regs[ESP] = (regs[ESP] + 4) | 0;
              regs[(d >>> 8) & 15] = v;
              eip += 4;
              break;
            }
            case 0x9c /* pop m */: {
              // The SDM: an esp-based destination is computed after esp is incremented.
              const sp = regs[ESP];
              const v = this.read32(sp);
              regs[ESP] = (sp + 4) | 0;
              const a = this.ea(d, w);
              regs[ESP] = sp;
              this.write32(a, v);
              regs[ESP] = (sp + 4) | 0;
              eip += 8;
              break;
            }
            // ---- control transfer
            case 0xa0 /* call rel */:
              this.push(eip + 8);
              eip = (eip + 8 + words[w + 1]) | 0;
              break;
            case 0xa1 /* call r */: {
              const target = regs[(d >>> 8) & 15];
              this.push(eip + 4);
              eip = target;
              break;
            }
            case 0xa2 /* call m */: {
              const target = this.read32(this.ea(d, w));
              this.push(eip + 8);
              eip = target;
              break;
            }
            case 0xa3 /* jmp rel */:
              eip = (eip + 8 + words[w + 1]) | 0;
              break;
            case 0xa4 /* jmp r */:
              eip = regs[(d >>> 8) & 15];
              break;
            case 0xa5 /* jmp m */:
              eip = this.read32(this.ea(d, w));
              break;
            case 0xb4 /* je */:
              eip = (f.op === FLAGS_ALL ? f.zf() !== 0 : f.res === 0) ? (eip + 8 + words[w + 1]) | 0 : eip + 8;
              break;
            case 0xb5 /* jne */:
              eip = (f.op === FLAGS_ALL ? f.zf() === 0 : f.res !== 0) ? (eip + 8 + words[w + 1]) | 0 : eip + 8;
              break;
            case 0xb0 /* jo */:
            case 0xb1 /* jno */:
            case 0xb2 /* jb */:
            case 0xb3 /* jae */:
            case 0xb6 /* jbe */:
            case 0xb7 /* ja */:
            case 0xb8 /* js */:
            case 0xb9 /* jns */:
            case 0xbc /* jl */:
            case 0xbd /* jge */:
            case 0xbe /* jle */:
            case 0xbf /* jg */:
              eip = f.condition(op - 0xb0) ? (eip + 8 + words[w + 1]) | 0 : eip + 8;
              break;
            default:
              // Everything else is rare: its bodies live out of this function so
              // that their paths cannot deoptimize it.
              this.eip = eip;
              this.cycles = cyc;
              this.instructions = n;
              stop = this.executeRare(op, d, w, eip);
              eip = this.eip;
              cyc = this.cycles;
              // sti opens an interrupt shadow: the slice ends where it closes.
              if (this.interruptShadowEnd > n && this.interruptShadowEnd < budgetEnd) {
                budgetEnd = this.interruptShadowEnd;
                if (budgetEnd < nLimit) nLimit = budgetEnd;
              }
          }
        }
        break;
      } catch (e) {
        this.cycles = cyc;
        this.instructions = n;
        if (e === GUEST_EXIT) {
          // The exiting instruction is counted, but it began before any sti shadow ended.
          this.exitingInstruction = 1;
          this.performExit(this.exitReason, eip);
          this.exitingInstruction = 0;
          stop = STOP_VMX;
        } else if (e === GUEST_FAULT) {
          const wasGuest = this.vmx.nonRoot;
          if (!this.raiseException(this.faultVector, eip)) stop = STOP_TRIPLE_FAULT;
          else if (wasGuest !== this.vmx.nonRoot || this.state !== STATE_RUNNING) stop = STOP_VMX;
        } else {
          throw e;
        }
        eip = this.eip;
        cyc = this.cycles;
        if (stop >= 0) break;
      }
    }
    this.eip = eip;
    this.cycles = cyc;
    this.instructions = n;
    return stop;
  }

  /** The instructions that the loop leaves out of its hot function: system,
   * VMX, MSR and port I/O instructions, and #UD for unassigned opcodes. Runs
   * with eip, cycles and instructions stored in the thread; returns a STOP_*
   * value or -1 to go on, with this.eip and this.cycles updated. An
   * instruction that makes the guest exit returns STOP_VMX (exitAt); faults
   * throw, as they do in the loop. */
  private executeRare(op: number, d: number, w: number, eip: number): number {
    const regs = this.regs;
    const mem = this.memory;
    const words = mem.words;
    const size = mem.size;
    let cyc = this.cycles;
    let stop = -1;
    switch (op) {
      case 0x02 /* hlt */:
        if (this.vmx.nonRoot && this.vmx.proc & PROC.HLT_EXITING) return this.exitAt(eip, EXIT.HLT, 4);
        eip += 4;
        this.state = STATE_HALTED;
        stop = STOP_HALT;
        break;
      case 0x03 /* pause */:
        if (this.vmx.nonRoot && this.vmx.proc & PROC.PAUSE_EXITING) return this.exitAt(eip, EXIT.PAUSE_INSTRUCTION, 4);
        eip += 4;
        break;
      case 0x04 /* ud2 */:
        this.fault(VECTOR_UD);
      case 0x05 /* cli */:
        this.interruptsEnabled = 0;
        eip += 4;
        break;
      case 0x06 /* sti */:
        if (!this.interruptsEnabled) {
          this.interruptsEnabled = 1;
          // Interrupts are recognized after the next instruction: end
          // the slice there, so a pending one (or a guest's interrupt
          // window) is noticed then.
          this.interruptShadowEnd = this.instructions + 1;
        }
        eip += 4;
        break;
      case 0x0a /* pushf */:
        this.push(this.eflags);
        eip += 4;
        break;
      case 0x0b /* popf */: {
        const v = this.read32(regs[ESP]);
        regs[ESP] = (regs[ESP] + 4) | 0;
        this.eflags = v;
        eip += 4;
        if (this.interruptsEnabled && (this.interrupts.hasPending || this.vmx.nonRoot)) stop = STOP_INTERRUPT_WINDOW;
        break;
      }
      case 0x0d /* iret */: {
        const sp = regs[ESP];
        const target = this.read32(sp);
        const flagsValue = this.read32((sp + 4) | 0);
        regs[ESP] = (sp + 8) | 0;
        this.eflags = flagsValue;
        eip = target;
        if (this.interruptsEnabled && (this.interrupts.hasPending || this.vmx.nonRoot)) stop = STOP_INTERRUPT_WINDOW;
        break;
      }
      case 0x0e /* cpuid */:
        if (this.vmx.nonRoot) return this.exitAt(eip, EXIT.CPUID, 4);
        executeCpuid(regs, this.config);
        eip += 4;
        break;
      case 0x0f /* rdtsc */:
        if (this.vmx.nonRoot && this.vmx.proc & PROC.RDTSC_EXITING) return this.exitAt(eip, EXIT.RDTSC, 4);
        readTsc(this, cyc);
        this.offsetGuestTsc();
        regs[0] = msrValue.lo;
        regs[2] = msrValue.hi;
        eip += 4;
        break;
      case 0x10 /* rdmsr */:
        if (this.vmx.nonRoot && this.msrExits(regs[1], false)) return this.exitAt(eip, EXIT.MSR_READ, 4);
        this.cycles = cyc;
        if (!readMsr(this, regs[1])) this.fault(VECTOR_GP);
        if (regs[1] === MSR.IA32_TIME_STAMP_COUNTER) this.offsetGuestTsc();
        regs[0] = msrValue.lo;
        regs[2] = msrValue.hi;
        eip += 4;
        break;
      case 0x11 /* wrmsr */:
        if (this.vmx.nonRoot && this.msrExits(regs[1], true)) return this.exitAt(eip, EXIT.MSR_WRITE, 4);
        this.cycles = cyc;
        if (!writeMsr(this, regs[1], regs[0], regs[2])) this.fault(VECTOR_GP);
        eip += 4;
        break;
      case 0x12 /* monitor */: {
        if (this.vmx.nonRoot && this.vmx.proc & PROC.MONITOR_EXITING) return this.exitAt(eip, EXIT.MONITOR_INSTRUCTION, 4);
        if (regs[1] !== 0) this.fault(VECTOR_GP);
        // The address is the level's own: under EPT it translates as a
        // read does (SDM vol. 3C 28.3.3.2: MONITOR is a read access),
        // exiting with an EPT violation where it is not mapped.
        const a = this.translating ? this.translate(regs[0], ACCESS_READ) : regs[0] >>> 0;
        if (a >= size) this.fault(VECTOR_GP);
        this.disarmMonitor();
        this.monitorLine = a >>> LINE_SHIFT;
        mem.armMonitor(this.monitorLine);
        eip += 4;
        break;
      }
      case 0x13 /* mwait */:
        if (this.vmx.nonRoot && this.vmx.proc & PROC.MWAIT_EXITING) return this.exitAt(eip, EXIT.MWAIT_INSTRUCTION, 4);
        if ((regs[1] & ~1) !== 0) this.fault(VECTOR_GP);
        eip += 4;
        if (this.monitorLine >= 0 && !this.monitorTriggered) {
          this.mwaitBreakOnMasked = (regs[1] & 1) !== 0;
          this.state = STATE_MWAIT;
          stop = STOP_MWAIT;
        } else {
          this.disarmMonitor();
        }
        break;
      case 0x14 /* int v8 */: {
        const vector = words[w + 1] & 0xff;
        if (vector >= this.idtCount) this.fault(VECTOR_GP);
        this.cycles = cyc;
        if (!this.deliver(vector, eip + 8)) this.fault(VECTOR_GP);
        eip = this.eip;
        break;
      }
      case 0x15 /* lidt m */: {
        const a = this.ea(d, w);
        const base = this.read32(a);
        const count = this.read32((a + 4) | 0);
        this.idtBase = base >>> 0;
        this.idtCount = Math.min(count >>> 0, 256);
        eip += 8;
        break;
      }
      case 0xc0 /* in r,port */: {
        const port = words[w + 1] & 0xffff;
        if (this.vmx.nonRoot && this.ioExits(port)) return this.ioExit(eip, port, true, (d >>> 8) & 15, -1, 8);
        cyc += this.bus.cost(port);
        regs[(d >>> 8) & 15] = this.bus.read(port, cyc, this.config.id);
        eip += 8;
        break;
      }
      case 0xc1 /* in r,r */: {
        const port = regs[(d >>> 12) & 15] & 0xffff;
        if (this.vmx.nonRoot && this.ioExits(port)) return this.ioExit(eip, port, true, (d >>> 8) & 15, (d >>> 12) & 15, 4);
        cyc += this.bus.cost(port);
        regs[(d >>> 8) & 15] = this.bus.read(port, cyc, this.config.id);
        eip += 4;
        break;
      }
      case 0xc2 /* out port,r */: {
        const port = words[w + 1] & 0xffff;
        if (this.vmx.nonRoot && this.ioExits(port)) return this.ioExit(eip, port, false, (d >>> 8) & 15, -1, 8);
        cyc += this.bus.cost(port);
        this.cycles = cyc;
        this.bus.write(port, regs[(d >>> 8) & 15], cyc, this.config.id);
        eip += 8;
        stop = STOP_IO;
        break;
      }
      case 0xc3 /* out r,r */: {
        const port = regs[(d >>> 8) & 15] & 0xffff;
        if (this.vmx.nonRoot && this.ioExits(port)) return this.ioExit(eip, port, false, (d >>> 12) & 15, (d >>> 8) & 15, 4);
        cyc += this.bus.cost(port);
        this.cycles = cyc;
        this.bus.write(port, regs[(d >>> 12) & 15], cyc, this.config.id);
        eip += 4;
        stop = STOP_IO;
        break;
      }
      // ---- VMX: #UD outside VMX operation; in a guest, a VM exit
      case 0xd0 /* vmxon m */: {
        const a = this.ea(d, w);
        if (this.vmx.nonRoot) return this.exitAt(eip, EXIT.VMON, 8, words[w + 1], this.memoryInfo(d));
        const region = this.read32(a);
        this.vmx.vmxon(region);
        eip += 8;
        break;
      }
      case 0xd1 /* vmxoff */:
        if (this.requireVmx(eip, EXIT.VMOFF, 4, 0, 0)) return STOP_VMX;
        this.vmx.vmxoff();
        eip += 4;
        break;
      case 0xd2 /* vmptrld m */: {
        if (this.requireVmx(eip, EXIT.VMPTRLD, 8, words[w + 1], this.memoryInfo(d))) return STOP_VMX;
        this.vmx.vmptrld(this.read32(this.ea(d, w)));
        eip += 8;
        break;
      }
      case 0xd3 /* vmptrst m */: {
        if (this.requireVmx(eip, EXIT.VMPTRST, 8, words[w + 1], this.memoryInfo(d))) return STOP_VMX;
        const a = this.ea(d, w);
        this.write32(a, this.vmx.vmcs.loaded ? this.vmx.vmcs.address : -1);
        this.vmx.vmptrst();
        eip += 8;
        break;
      }
      case 0xd4 /* vmclear m */: {
        if (this.requireVmx(eip, EXIT.VMCLEAR, 8, words[w + 1], this.memoryInfo(d))) return STOP_VMX;
        this.vmx.vmclear(this.read32(this.ea(d, w)));
        eip += 8;
        break;
      }
      case 0xd5 /* vmread r,r */: {
        const field = regs[(d >>> 12) & 15];
        if (this.vmx.nonRoot && this.vmx.shadows(field, false)) {
          const value = this.vmx.shadowRead(field);
          if (value !== null) regs[(d >>> 8) & 15] = value;
        } else {
          if (this.requireVmx(eip, EXIT.VMREAD, 4, 0, this.registerInfo((d >>> 8) & 15, (d >>> 12) & 15))) return STOP_VMX;
          const value = this.vmx.vmread(field);
          if (value !== null) regs[(d >>> 8) & 15] = value;
        }
        eip += 4;
        break;
      }
      case 0xd6 /* vmread m,r */: {
        const field = regs[(d >>> 8) & 15];
        const a = this.ea(d, w);
        const shadowed = this.vmx.nonRoot && this.vmx.shadows(field, false);
        if (!shadowed) if (this.requireVmx(eip, EXIT.VMREAD, 8, words[w + 1], this.memoryInfo(d) | ((d >>> 8) & 15) << INSN_INFO.REG2_SHIFT)) return STOP_VMX;
        const value = shadowed ? this.vmx.shadowRead(field) : this.vmx.vmread(field);
        if (value !== null) this.write32(a, value);
        eip += 8;
        break;
      }
      case 0xd7 /* vmwrite r,r */: {
        const field = regs[(d >>> 8) & 15];
        const value = regs[(d >>> 12) & 15];
        if (this.vmx.nonRoot && this.vmx.shadows(field, true)) this.vmx.shadowWrite(field, value);
        else {
          if (this.requireVmx(eip, EXIT.VMWRITE, 4, 0, this.registerInfo((d >>> 12) & 15, (d >>> 8) & 15))) return STOP_VMX;
          this.vmx.vmwrite(field, value);
        }
        eip += 4;
        break;
      }
      case 0xd8 /* vmwrite r,m */: {
        const field = regs[(d >>> 8) & 15];
        const a = this.ea(d, w);
        const shadowed = this.vmx.nonRoot && this.vmx.shadows(field, true);
        if (!shadowed) if (this.requireVmx(eip, EXIT.VMWRITE, 8, words[w + 1], this.memoryInfo(d) | ((d >>> 8) & 15) << INSN_INFO.REG2_SHIFT)) return STOP_VMX;
        const value = this.read32(a);
        if (shadowed) this.vmx.shadowWrite(field, value);
        else this.vmx.vmwrite(field, value);
        eip += 8;
        break;
      }
      case 0xd9 /* vmlaunch */:
      case 0xda /* vmresume */:
        if (this.requireVmx(eip, op === 0xd9 ? EXIT.VMLAUNCH : EXIT.VMRESUME, 4, 0, 0)) return STOP_VMX;
        this.eip = eip;
        this.cycles = cyc;
        if (this.vmx.enter(op === 0xd9)) {
          eip = this.eip;
          cyc = this.cycles;
          stop = STOP_VMX;
        } else {
          eip += 4;
        }
        break;
      case 0xdb /* vmcall */:
        if (this.vmx.nonRoot) return this.exitAt(eip, EXIT.VMCALL, 4);
        if (!this.vmx.on) this.fault(VECTOR_UD);
        this.vmx.vmcallInRoot();
        eip += 4;
        break;
      case 0xdd /* rdtreg r,r */:
        regs[(d >>> 8) & 15] = this.threadRegister((d >>> 12) & 15);
        eip += 4;
        break;
      case 0xde /* wrtreg r,r */:
        this.setThreadRegister((d >>> 8) & 15, regs[(d >>> 12) & 15]);
        eip += 4;
        break;
      case 0xdc /* invept r,m */: {
        const a = this.ea(d, w);
        if (this.requireVmx(eip, EXIT.INVEPT, 8, words[w + 1], this.memoryInfo(d) | ((d >>> 8) & 15) << INSN_INFO.REG2_SHIFT)) return STOP_VMX;
        this.vmx.invept(regs[(d >>> 8) & 15], this.read32(a));
        eip += 8;
        break;
      }
      default:
        this.fault(VECTOR_UD);
    }
    this.eip = eip;
    this.cycles = cyc;
    return stop;
  }

  /** The stalled thread rdtreg/wrtreg (selector in register `selReg`) reach:
   * in root operation the current VMCS's GUEST_THREAD, in a guest the
   * SUBORDINATE_THREAD its hypervisor granted (else the guest exits). */
  private subordinate(selReg: number, length: number): Cpu {
    if (!this.config.threadExtension) this.fault(VECTOR_UD);
    const vmx = this.vmx;
    let id: number;
    if (vmx.nonRoot) {
      if ((vmx.proc2 & PROC2.SUBORDINATE_REGISTER_ACCESS) === 0) {
        this.exitFor(EXIT.THREAD_REGISTER_ACCESS, length, 0, this.registerInfo(0, selReg));
      }
      id = vmx.vmcs.get(F.SUBORDINATE_THREAD);
    } else {
      if (!vmx.on || !vmx.vmcs.loaded) this.fault(VECTOR_UD);
      id = vmx.vmcs.get(F.GUEST_THREAD);
    }
    const thread = this.config.thread(id);
    // A stalled guest, or (in root operation) the one the current VMCS will
    // launch while it still waits to be started: its initial registers.
    const reachable = thread && thread !== this && (thread.state === STATE_STALLED || (!vmx.nonRoot && thread.waitingForStart));
    if (!reachable) this.fault(VECTOR_GP);
    const sel = this.regs[selReg] >>> 0;
    if (sel > THREAD_REG.EFLAGS) this.fault(VECTOR_GP);
    return thread;
  }

  private threadRegister(selReg: number): number {
    const thread = this.subordinate(selReg, 4);
    const sel = this.regs[selReg];
    return sel === THREAD_REG.EIP ? thread.eip : sel === THREAD_REG.EFLAGS ? thread.eflags : thread.regs[sel];
  }

  private setThreadRegister(selReg: number, value: number): void {
    const thread = this.subordinate(selReg, 4);
    const sel = this.regs[selReg];
    if (sel === THREAD_REG.EIP) thread.eip = value;
    else if (sel === THREAD_REG.EFLAGS) thread.eflags = value;
    else thread.regs[sel] = value;
  }

  /** A VMX instruction in a guest exits (true); outside VMX operation it raises #UD. */
  private requireVmx(eip: number, reason: number, length: number, qualification: number, instructionInfo: number): boolean {
    if (this.vmx.nonRoot) {
      this.exitAt(eip, reason, length, qualification, instructionInfo);
      return true;
    }
    if (!this.vmx.on) this.fault(VECTOR_UD);
    return false;
  }

  /** VMX_INSTRUCTION_INFO of a memory operand (Intel's layout: scale, index, base). */
  private memoryInfo(d: number): number {
    const base = (d >>> 16) & 31;
    const index = (d >>> 21) & 31;
    let info = (d >>> 26) & 3;
    info |= index === NO_REG ? INSN_INFO.INDEX_INVALID : index << INSN_INFO.INDEX_SHIFT;
    info |= base === NO_REG ? INSN_INFO.BASE_INVALID : base << INSN_INFO.BASE_SHIFT;
    return info;
  }

  /** VMX_INSTRUCTION_INFO of a register operand reg1 and the field register reg2. */
  private registerInfo(reg1: number, reg2: number): number {
    return (reg1 << INSN_INFO.REG1_SHIFT) | INSN_INFO.REG1_IS_REGISTER | (reg2 << INSN_INFO.REG2_SHIFT);
  }

  /** Whether a guest access to `port` exits: unconditional I/O exiting, or its bit in the I/O bitmaps. */
  private ioExits(port: number): boolean {
    const proc = this.vmx.proc;
    if (proc & PROC.USE_IO_BITMAPS) {
      const bitmap = this.vmx.vmcs.get(port < 0x8000 ? F.IO_BITMAP_A : F.IO_BITMAP_B) >>> 0;
      const bit = port & 0x7fff;
      return (this.memory.bytes[bitmap + (bit >>> 3)] & (1 << (bit & 7))) !== 0;
    }
    return (proc & PROC.UNCONDITIONAL_IO_EXITING) !== 0;
  }

  /** An I/O exit: Intel's qualification; instruction information names the
   * data register (reg1) and the port register (reg2) if there is one. */
  private ioExit(eip: number, port: number, input: boolean, dataReg: number, portReg: number, length: number): number {
    const qualification =
      IO_QUAL.SIZE_4 | (input ? IO_QUAL.DIRECTION_IN : 0) | (portReg < 0 ? IO_QUAL.PORT_IMMEDIATE : 0) | (port << IO_QUAL.PORT_SHIFT);
    const info = this.registerInfo(dataReg, portReg < 0 ? 0 : portReg);
    return this.exitAt(eip, EXIT.IO_INSTRUCTION, length, qualification, info);
  }

  /** Whether a guest rdmsr/wrmsr of `index` exits: always without MSR bitmaps,
   * else per the bitmap (read-low, read-high, write-low, write-high quarters). */
  private msrExits(index: number, write: boolean): boolean {
    if ((this.vmx.proc & PROC.USE_MSR_BITMAPS) === 0) return true;
    const msr = index >>> 0;
    let quarter: number;
    if (msr <= 0x1fff) quarter = 0;
    else if (msr >= 0xc0000000 && msr <= 0xc0001fff) quarter = 0x400;
    else return true;
    const bitmap = (this.vmx.vmcs.get(F.MSR_BITMAP) >>> 0) + quarter + (write ? 0x800 : 0);
    const bit = msr & 0x1fff;
    return (this.memory.bytes[bitmap + (bit >>> 3)] & (1 << (bit & 7))) !== 0;
  }

  /** A guest with TSC offsetting reads the TSC plus TSC_OFFSET (msrValue holds the TSC). */
  private offsetGuestTsc(): void {
    if (!this.vmx.nonRoot || (this.vmx.proc & PROC.USE_TSC_OFFSETTING) === 0) return;
    const v = this.vmx.vmcs;
    const lo = (msrValue.lo >>> 0) + (v.get(F.TSC_OFFSET) >>> 0);
    msrValue.hi = (msrValue.hi + v.high(F.TSC_OFFSET) + (lo >= 0x100000000 ? 1 : 0)) | 0;
    msrValue.lo = lo | 0;
  }

  /** Effective address of the memory operand of the instruction at word `w`. */
  private ea(d: number, w: number): number {
    const regs = this.regs;
    return (regs[(d >>> 16) & 31] + (regs[(d >>> 21) & 31] << ((d >>> 26) & 3)) + this.memory.words[w + 1]) | 0;
  }
}

export const VECTOR_NAMES: Record<number, string> = {
  [VECTOR_DE]: '#DE (divide error)',
  [VECTOR_UD]: '#UD (invalid opcode)',
  [VECTOR_GP]: '#GP (general protection)',
};
