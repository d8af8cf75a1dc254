// One hardware thread's VMX: the VMX instructions executed in root
// operation, VM entry with its checks (Bochs's vmx.cc), and VM exit with its
// information (vmexit.cc). The interpreter decides *that* a guest instruction
// exits; this file does the transition.

import type { Cpu } from '../cpu.ts';
import { STATE_HALTED, STATE_RUNNING, STATE_STALLED } from '../thread-state.ts';
import type { Memory } from '../../memory/memory.ts';
import {
  ALLOWED_ENTRY_CTLS,
  ALLOWED_EXIT_CTLS,
  ALLOWED_PIN,
  ALLOWED_PROC,
  ALLOWED_PROC2,
  ALLOWED_PROC2_HW,
  EPT,
  EXIT_CTL,
  GUEST_ACTIVITY_ACTIVE,
  GUEST_ACTIVITY_HLT,
  GUEST_INTERRUPTIBILITY_STI,
  INTR_INFO,
  PIN,
  PREEMPTION_TIMER_RATE,
  PROC,
  PROC2,
  VMCS_REGION_SIZE,
  VMCS_REVISION_ID,
  VMERR,
} from './controls.ts';
import { Ept, validEptp } from './ept.ts';
import { EXIT, EXIT_REASON_ENTRY_FAILURE } from './exit-reasons.ts';
import { clearRegion, F, fieldSlot, readRegionField, resolveField, SHADOW_VMCS_INDICATOR, VmcsCache, writeRegionField } from './vmcs.ts';
import type { ExitRecorder } from './exit-stats.ts';

/** A control value sets only bits the capability MSR allows. */
function within(value: number, allowed: number): boolean {
  return (value & ~allowed) === 0;
}

const EFLAGS_RESERVED = ~(0x1 | 0x2 | 0x40 | 0x80 | 0x200 | 0x800);
const ALL_ONES = -1;
/** The guest-state fields a hw-mode hypervisor's vmread and vmwrite reach in its guest's live thread. */
const GUEST_RIP_SLOT = fieldSlot(F.GUEST_RIP);
const GUEST_RSP_SLOT = fieldSlot(F.GUEST_RSP);
const GUEST_RFLAGS_SLOT = fieldSlot(F.GUEST_RFLAGS);
const GUEST_IDTR_BASE_SLOT = fieldSlot(F.GUEST_IDTR_BASE);
const GUEST_IDTR_LIMIT_SLOT = fieldSlot(F.GUEST_IDTR_LIMIT);
const VM_INSTRUCTION_ERROR_SLOT = fieldSlot(F.VM_INSTRUCTION_ERROR);

/** Transition costs the VMX unit charges; from the cost model. */
export interface VmxCosts {
  vmExit: number;
  vmEntry: number;
  /** hw mode: a VM entry or exit that stalls one thread and resumes another. */
  threadSwitch: number;
}

/** What a VM exit reports besides its reason, gathered while the exit is
 * decided. Each thread keeps one and clears it after every exit; its fields
 * are always present and always numbers, so that the object keeps one
 * hidden class and the code that fills it in stays compiled. */
export class ExitInfo {
  qualification = 0;
  instructionLength = 0;
  instructionInfo = 0;
  interruptionInfo = 0;
  /** The guest-physical address of an EPT violation, or -1: other exits store none. */
  guestPhysicalAddress = -1;

  clear(): void {
    this.qualification = this.instructionLength = this.instructionInfo = this.interruptionInfo = 0;
    this.guestPhysicalAddress = -1;
  }
}

/** The exit information of a failed VM entry: its reason alone. */
const NO_EXIT_INFO = new ExitInfo();

export class Vmx {
  /** In VMX operation (after vmxon). */
  on = false;
  /** In VMX non-root operation: running a guest. */
  nonRoot = false;
  vmxonRegion = -1;
  /** The current VMCS; for a hw-mode guest thread, its hypervisor thread's. */
  vmcs = new VmcsCache();
  readonly ept: Ept;
  /** hw mode: for a guest thread, the VMX of the hypervisor thread it runs for. */
  host: Vmx | null = null;

  // Controls of the running guest, cached at VM entry.
  pin = 0;
  proc = 0;
  proc2 = 0;
  exceptionBitmap = 0;
  /** Cycle at which the preemption timer fires; Infinity when off. */
  preemptionDeadline = Infinity;

  constructor(
    readonly cpu: Cpu,
    private readonly memory: Memory,
    private readonly costs: VmxCosts,
    private readonly recorder: ExitRecorder,
  ) {
    this.ept = new Ept(memory);
  }

  // ---- results of VMX instructions (SDM 31.2) --------------------------------

  private succeed(): void {
    this.cpu.flags.setArith(0);
  }

  private failInvalid(): void {
    this.cpu.flags.setArith(1); // CF
  }

  private failValid(error: number): void {
    this.cpu.flags.setArith(0x40); // ZF
    this.vmcs.set(F.VM_INSTRUCTION_ERROR, error);
  }

  /** VMfailValid with a current VMCS, else VMfailInvalid. */
  private fail(error: number): void {
    if (this.vmcs.loaded) this.failValid(error);
    else this.failInvalid();
  }

  private validRegion(address: number): boolean {
    return (address & 0xfff) === 0 && address >= 0 && address <= this.memory.size - VMCS_REGION_SIZE;
  }

  // ---- root-operation instructions --------------------------------------------

  vmxon(region: number): void {
    if (this.on) {
      this.fail(VMERR.VMXON_IN_ROOT);
      return;
    }
    // The whole first dword: bit 31 (the shadow-VMCS indicator) must be 0 in a VMXON region.
    if (!this.validRegion(region) || this.memory.readU32(region) !== VMCS_REVISION_ID) {
      this.failInvalid();
      return;
    }
    this.on = true;
    this.vmxonRegion = region;
    this.vmcs.unload();
    this.succeed();
  }

  vmxoff(): void {
    this.vmcs.writeBack(this.memory);
    this.vmcs.unload();
    this.on = false;
    this.vmxonRegion = -1;
    this.succeed();
  }

  vmptrld(address: number): void {
    if (!this.validRegion(address)) return this.fail(VMERR.VMPTRLD_INVALID_ADDRESS);
    if (address === this.vmxonRegion) return this.fail(VMERR.VMPTRLD_VMXON_POINTER);
    if ((this.memory.readU32(address) & 0x7fffffff) !== VMCS_REVISION_ID) return this.fail(VMERR.VMPTRLD_INCORRECT_REVISION);
    if (this.vmcs.address !== address) {
      this.vmcs.writeBack(this.memory);
      this.vmcs.load(this.memory, address);
    }
    this.succeed();
  }

  /** The current-VMCS pointer, all ones if none. */
  vmptrst(): number {
    this.succeed();
    return this.vmcs.loaded ? this.vmcs.address : ALL_ONES;
  }

  vmclear(address: number): void {
    if (!this.validRegion(address)) return this.fail(VMERR.VMCLEAR_INVALID_ADDRESS);
    if (address === this.vmxonRegion) return this.fail(VMERR.VMCLEAR_VMXON_POINTER);
    if (this.vmcs.address === address) {
      this.vmcs.launched = false;
      this.vmcs.writeBack(this.memory);
      this.vmcs.unload();
    } else {
      clearRegion(this.memory, address);
    }
    this.succeed();
  }

  /** vmread in root operation; the value, or null when it failed (flags are set). */
  vmread(encoding: number): number | null {
    if (!this.vmcs.loaded) {
      this.failInvalid();
      return null;
    }
    const slot = resolveField(encoding);
    if (slot < 0) {
      this.failValid(VMERR.UNSUPPORTED_COMPONENT);
      return null;
    }
    this.succeed();
    const live = this.liveGuest();
    if (live) {
      // hw mode: the guest's registers are its thread's, not copies.
      if (slot === GUEST_RIP_SLOT) return live.eip;
      if (slot === GUEST_RSP_SLOT) return live.regs[4];
      if (slot === GUEST_RFLAGS_SLOT) return live.eflags;
      if (slot === GUEST_IDTR_BASE_SLOT) return live.idtBase;
      if (slot === GUEST_IDTR_LIMIT_SLOT) return live.idtCount;
    }
    return this.vmcs.read(slot);
  }

  vmwrite(encoding: number, value: number): void {
    if (!this.vmcs.loaded) return this.failInvalid();
    const slot = resolveField(encoding);
    if (slot < 0) return this.failValid(VMERR.UNSUPPORTED_COMPONENT);
    // IA32_VMX_MISC bit 29 is set: read-only fields are writable too.
    this.vmcs.write(slot, value);
    const live = this.liveGuest();
    if (live) {
      if (slot === GUEST_RIP_SLOT) live.eip = value;
      else if (slot === GUEST_RSP_SLOT) live.regs[4] = value;
      else if (slot === GUEST_RFLAGS_SLOT) live.eflags = value;
      else if (slot === GUEST_IDTR_BASE_SLOT) live.idtBase = value >>> 0;
      else if (slot === GUEST_IDTR_LIMIT_SLOT) live.idtCount = Math.min(value >>> 0, 256);
    }
    this.succeed();
  }

  private writeExitInformation(reason: number, info: ExitInfo): void {
    const v = this.vmcs;
    v.set(F.VM_EXIT_REASON, reason);
    v.set(F.EXIT_QUALIFICATION, info.qualification);
    v.set(F.VM_EXIT_INSTRUCTION_LEN, info.instructionLength);
    v.set(F.VMX_INSTRUCTION_INFO, info.instructionInfo);
    v.set(F.VM_EXIT_INTR_INFO, info.interruptionInfo);
    v.set(F.IDT_VECTORING_INFO_FIELD, 0);
    if (info.guestPhysicalAddress >= 0) {
      v.set(F.GUEST_PHYSICAL_ADDRESS, info.guestPhysicalAddress);
      v.setHigh(F.GUEST_PHYSICAL_ADDRESS, 0);
      v.set(F.GUEST_LINEAR_ADDRESS, info.guestPhysicalAddress);
    }
  }

  /** vmcall in root operation: VMfailValid(1) (no dual-monitor treatment here). */
  vmcallInRoot(): void {
    this.fail(VMERR.VMCALL_IN_ROOT);
  }

  invept(type: number, eptp: number): void {
    if (type === EPT.INVEPT_ALL_CONTEXT || (type === EPT.INVEPT_SINGLE_CONTEXT && (eptp === this.ept.eptp || validEptp(eptp, this.memory.size)))) {
      this.flushTranslations();
      this.succeed();
      return;
    }
    this.fail(VMERR.INVALID_INVEPT_OPERAND);
  }

  /** invept's invalidation: this thread's translations, and (hw mode) those
   * of every thread it runs a guest on, running or stalled. Those threads
   * translate through the EPTs this hypervisor manages, as one logical
   * processor does on Intel, where invept reaches the guest's translations
   * because they are the processor's own. */
  private flushTranslations(): void {
    this.cpu.flushEptTranslations();
    for (let id = 0; ; id++) {
      const thread = this.cpu.thread(id);
      if (!thread) break;
      if (thread.vmx.host === this) thread.flushEptTranslations();
    }
  }

  // ---- VMCS shadowing ------------------------------------------------------------

  /** Whether a guest vmread/vmwrite of `encoding` goes to the shadow VMCS instead of exiting. */
  shadows(encoding: number, write: boolean): boolean {
    if ((this.proc2 & PROC2.VMCS_SHADOWING) === 0 || (encoding >>> 0) > 0x7fff) return false;
    const bitmap = this.vmcs.get(write ? F.VMWRITE_BITMAP : F.VMREAD_BITMAP) >>> 0;
    const bit = this.memory.bytes[bitmap + (encoding >>> 3)] & (1 << (encoding & 7));
    return bit === 0;
  }

  /** The shadow VMCS a guest's shadowed vmread/vmwrite uses, or -1 when the
   * link pointer is all ones (then they fail with VMfailInvalid, as the SDM says). */
  private shadowRegion(): number {
    const link = this.vmcs.get(F.VMCS_LINK_POINTER);
    return link === ALL_ONES || !this.validRegion(link >>> 0) ? -1 : link >>> 0;
  }

  /** VMfailValid in a guest: the error goes to the VMCS the link pointer names. */
  private shadowFailValid(region: number, error: number): void {
    this.cpu.flags.setArith(0x40);
    writeRegionField(this.memory, region, VM_INSTRUCTION_ERROR_SLOT, error);
  }

  /** A shadowed guest vmread: VMsucceed with the value, or a VMfail (null). */
  shadowRead(encoding: number): number | null {
    const region = this.shadowRegion();
    if (region < 0) {
      this.failInvalid();
      return null;
    }
    const slot = resolveField(encoding);
    if (slot < 0) {
      this.shadowFailValid(region, VMERR.UNSUPPORTED_COMPONENT);
      return null;
    }
    this.succeed();
    return readRegionField(this.memory, region, slot);
  }

  shadowWrite(encoding: number, value: number): void {
    const region = this.shadowRegion();
    if (region < 0) return this.failInvalid();
    const slot = resolveField(encoding);
    if (slot < 0) return this.shadowFailValid(region, VMERR.UNSUPPORTED_COMPONENT);
    writeRegionField(this.memory, region, slot, value);
    this.succeed();
  }

  // ---- VM entry (SDM 26) -----------------------------------------------------------

  /** vmlaunch (launch) or vmresume. True if the guest now runs (or a failed
   * entry exited back to the host); false if the instruction failed. */
  enter(launch: boolean): boolean {
    const v = this.vmcs;
    if (!v.loaded || v.shadow) {
      this.failInvalid();
      return false;
    }
    if (launch && v.launched) {
      this.failValid(VMERR.VMLAUNCH_NONCLEAR);
      return false;
    }
    if (!launch && !v.launched) {
      this.failValid(VMERR.VMRESUME_NONLAUNCHED);
      return false;
    }
    if (!this.controlsValid()) {
      this.failValid(VMERR.ENTRY_INVALID_CONTROLS);
      return false;
    }
    if (!v.written[F.HOST_RIP] || !v.written[F.HOST_RSP]) {
      this.failValid(VMERR.ENTRY_INVALID_HOST_STATE);
      return false;
    }
    const cpu = this.cpu;
    const proc = v.get(F.CPU_BASED_VM_EXEC_CONTROL);
    const proc2 = proc & PROC.ACTIVATE_SECONDARY_CONTROLS ? v.get(F.SECONDARY_VM_EXEC_CONTROL) : 0;
    if (proc2 & PROC2.THREAD_SWITCHING) return this.enterThread(launch);
    cpu.cycles += this.costs.vmEntry;
    if (!this.guestStateValid()) {
      this.exit(EXIT.INVALID_STATE | EXIT_REASON_ENTRY_FAILURE, cpu.eip, NO_EXIT_INFO, false);
      return true;
    }
    this.pin = v.get(F.PIN_BASED_VM_EXEC_CONTROL);
    this.proc = v.get(F.CPU_BASED_VM_EXEC_CONTROL);
    this.proc2 = this.proc & PROC.ACTIVATE_SECONDARY_CONTROLS ? v.get(F.SECONDARY_VM_EXEC_CONTROL) : 0;
    this.exceptionBitmap = v.get(F.EXCEPTION_BITMAP);
    v.launched = true;

    cpu.eip = v.get(F.GUEST_RIP);
    cpu.regs[4] = v.get(F.GUEST_RSP);
    cpu.eflags = v.get(F.GUEST_RFLAGS);
    cpu.idtBase = v.get(F.GUEST_IDTR_BASE) >>> 0;
    cpu.idtCount = Math.min(v.get(F.GUEST_IDTR_LIMIT) >>> 0, 256);
    cpu.interruptShadowEnd = v.get(F.GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTERRUPTIBILITY_STI ? cpu.instructions + 1 : 0;
    cpu.state = v.get(F.GUEST_ACTIVITY_STATE) === GUEST_ACTIVITY_HLT ? STATE_HALTED : STATE_RUNNING;
    this.nonRoot = true;
    cpu.switchLevel(cpu.guestLevel);
    const eptOn = (this.proc2 & PROC2.ENABLE_EPT) !== 0;
    if (eptOn) this.ept.select(v.get(F.EPT_POINTER));
    cpu.setTranslation(eptOn);
    this.preemptionDeadline =
      this.pin & PIN.PREEMPTION_TIMER ? cpu.cycles + (v.get(F.VMX_PREEMPTION_TIMER_VALUE) >>> 0) * 2 ** PREEMPTION_TIMER_RATE : Infinity;
    this.recorder.entered(cpu);

    const event = v.get(F.VM_ENTRY_INTR_INFO_FIELD);
    if (event & INTR_INFO.VALID) {
      v.set(F.VM_ENTRY_INTR_INFO_FIELD, event & ~INTR_INFO.VALID);
      cpu.injectEvent(event & INTR_INFO.VECTOR_MASK, (event & INTR_INFO.TYPE_MASK) === INTR_INFO.TYPE_SOFTWARE_INTERRUPT ? v.get(F.VM_ENTRY_INSTRUCTION_LEN) : 0);
    }
    return true;
  }

  private controlsValid(): boolean {
    const v = this.vmcs;
    const size = this.memory.size;
    const pin = v.get(F.PIN_BASED_VM_EXEC_CONTROL);
    const proc = v.get(F.CPU_BASED_VM_EXEC_CONTROL);
    const proc2 = proc & PROC.ACTIVATE_SECONDARY_CONTROLS ? v.get(F.SECONDARY_VM_EXEC_CONTROL) : 0;
    const allowedProc2 = this.cpu.threadExtension ? ALLOWED_PROC2_HW : ALLOWED_PROC2;
    if (!within(pin, ALLOWED_PIN) || !within(proc, ALLOWED_PROC) || !within(proc2, allowedProc2)) return false;
    if (proc2 & PROC2.THREAD_SWITCHING && !this.guestThread()) return false;
    if (!within(v.get(F.VM_EXIT_CONTROLS), ALLOWED_EXIT_CTLS) || !within(v.get(F.VM_ENTRY_CONTROLS), ALLOWED_ENTRY_CTLS)) return false;
    // SDM 26.2.1.2: the timer's value can be saved only if the timer is active.
    if (v.get(F.VM_EXIT_CONTROLS) & EXIT_CTL.SAVE_PREEMPTION_TIMER && !(pin & PIN.PREEMPTION_TIMER)) return false;
    if (proc & PROC.USE_IO_BITMAPS && (!this.validPage(F.IO_BITMAP_A) || !this.validPage(F.IO_BITMAP_B))) return false;
    if (proc & PROC.USE_MSR_BITMAPS && !this.validPage(F.MSR_BITMAP)) return false;
    if (proc2 & PROC2.ENABLE_EPT && (!validEptp(v.get(F.EPT_POINTER), size) || v.high(F.EPT_POINTER) !== 0)) return false;
    if (proc2 & PROC2.VMCS_SHADOWING) {
      if (!this.validPage(F.VMREAD_BITMAP) || !this.validPage(F.VMWRITE_BITMAP)) return false;
    }
    const event = v.get(F.VM_ENTRY_INTR_INFO_FIELD);
    if (event & INTR_INFO.VALID) {
      const type = event & INTR_INFO.TYPE_MASK;
      if (type !== INTR_INFO.TYPE_EXTERNAL_INTERRUPT && type !== INTR_INFO.TYPE_HARDWARE_EXCEPTION && type !== INTR_INFO.TYPE_SOFTWARE_INTERRUPT) {
        return false;
      }
      if ((event & 0x7ffff000) !== 0) return false;
    }
    return true;
  }

  /** A 64-bit control field holding the address of a page of RAM (a bitmap). */
  private validPage(index: number): boolean {
    return this.validRegion(this.vmcs.get(index) >>> 0) && this.vmcs.high(index) === 0;
  }

  private guestStateValid(): boolean {
    const v = this.vmcs;
    const flags = v.get(F.GUEST_RFLAGS);
    if ((flags & 2) === 0 || (flags & EFLAGS_RESERVED) !== 0) return false;
    if (!v.written[F.GUEST_RIP] || !v.written[F.GUEST_RSP] || !v.written[F.GUEST_RFLAGS]) return false;
    const activity = v.get(F.GUEST_ACTIVITY_STATE);
    if (activity !== GUEST_ACTIVITY_ACTIVE && activity !== GUEST_ACTIVITY_HLT) return false;
    const link = v.get(F.VMCS_LINK_POINTER);
    const linkHi = v.high(F.VMCS_LINK_POINTER);
    const proc2 = v.get(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.ACTIVATE_SECONDARY_CONTROLS ? v.get(F.SECONDARY_VM_EXEC_CONTROL) : 0;
    if (link === ALL_ONES && linkHi === ALL_ONES) return true;
    // Anything but all ones must name a shadow VMCS that shadowing uses.
    if (!(proc2 & PROC2.VMCS_SHADOWING) || linkHi !== 0 || !this.validRegion(link >>> 0)) return false;
    const revision = this.memory.readU32(link >>> 0);
    return (revision & 0x7fffffff) === VMCS_REVISION_ID && (revision & SHADOW_VMCS_INDICATOR) !== 0;
  }

  // ---- hw mode: entries and exits that switch threads ------------------------------

  /** The thread GUEST_THREAD names, if it is another thread of the core. */
  private guestThread(): Cpu | undefined {
    const thread = this.cpu.thread(this.vmcs.get(F.GUEST_THREAD));
    return thread === this.cpu ? undefined : thread;
  }

  /** The guest thread whose live registers the guest-state fields are, once launched. */
  private liveGuest(): Cpu | undefined {
    const v = this.vmcs;
    if (!v.launched || !(v.get(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.ACTIVATE_SECONDARY_CONTROLS)) return undefined;
    return v.get(F.SECONDARY_VM_EXEC_CONTROL) & PROC2.THREAD_SWITCHING ? this.guestThread() : undefined;
  }

  /** hw-mode VM entry: stalls this thread and resumes the guest's, where it
   * stalled (vmresume), or starts it from the guest-state fields (vmlaunch).
   * No state is saved or loaded: each thread keeps its registers. */
  private enterThread(launch: boolean): boolean {
    const v = this.vmcs;
    const host = this.cpu;
    const guest = this.guestThread()!;
    const ready = launch ? guest.waitingForStart : guest.state === STATE_STALLED && guest.vmx.host === this;
    if (!ready || (launch && !this.guestStateValid())) {
      this.failValid(VMERR.ENTRY_INVALID_CONTROLS);
      return false;
    }
    const gv = guest.vmx;
    if (launch) {
      // The general registers are what the hypervisor wrote with wrtreg while
      // the thread waited (zero otherwise); the rest comes from the VMCS.
      guest.waitingForStart = false;
      guest.eip = v.get(F.GUEST_RIP);
      guest.regs[4] = v.get(F.GUEST_RSP);
      guest.eflags = v.get(F.GUEST_RFLAGS);
      guest.idtBase = v.get(F.GUEST_IDTR_BASE) >>> 0;
      guest.idtCount = Math.min(v.get(F.GUEST_IDTR_LIMIT) >>> 0, 256);
    }
    v.launched = true;
    gv.vmcs = v;
    gv.host = this;
    gv.pin = v.get(F.PIN_BASED_VM_EXEC_CONTROL);
    gv.proc = v.get(F.CPU_BASED_VM_EXEC_CONTROL);
    gv.proc2 = v.get(F.SECONDARY_VM_EXEC_CONTROL);
    gv.exceptionBitmap = v.get(F.EXCEPTION_BITMAP);
    gv.nonRoot = true;
    guest.hostInterrupts = host.interruptLines;
    guest.guestLevel = host.guestLevel;
    guest.hostLevel = host.hostLevel;
    const eptOn = (gv.proc2 & PROC2.ENABLE_EPT) !== 0;
    if (eptOn) gv.ept.select(v.get(F.EPT_POINTER));
    guest.setTranslation(eptOn);
    guest.state = v.get(F.GUEST_ACTIVITY_STATE) === GUEST_ACTIVITY_HLT ? STATE_HALTED : STATE_RUNNING;
    guest.interruptShadowEnd = v.get(F.GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTERRUPTIBILITY_STI ? guest.instructions + 1 : 0;
    host.state = STATE_STALLED;
    gv.preemptionDeadline =
      gv.pin & PIN.PREEMPTION_TIMER
        ? Math.max(guest.cycles, host.cycles) + this.costs.threadSwitch + (v.get(F.VMX_PREEMPTION_TIMER_VALUE) >>> 0) * 2 ** PREEMPTION_TIMER_RATE
        : Infinity;
    const resumeAt = Math.max(guest.cycles, host.cycles) + this.costs.threadSwitch;
    guest.cycles = resumeAt;
    guest.switchLevel(guest.guestLevel);
    this.recorder.entered(guest);
    const event = v.get(F.VM_ENTRY_INTR_INFO_FIELD);
    if (event & INTR_INFO.VALID) {
      v.set(F.VM_ENTRY_INTR_INFO_FIELD, event & ~INTR_INFO.VALID);
      guest.injectEvent(event & INTR_INFO.VECTOR_MASK, (event & INTR_INFO.TYPE_MASK) === INTR_INFO.TYPE_SOFTWARE_INTERRUPT ? v.get(F.VM_ENTRY_INSTRUCTION_LEN) : 0);
    }
    return true;
  }

  /** hw-mode VM exit: the guest thread stalls where it is (eip at the exiting
   * instruction), the hypervisor thread resumes at HOST_RIP. */
  private exitThread(reason: number, guestEip: number, info: ExitInfo): void {
    const v = this.vmcs;
    const guest = this.cpu;
    const hostVmx = this.host!;
    const host = hostVmx.cpu;
    this.recorder.exited(guest, reason & 0xffff, guestEip, info.qualification);
    guest.eip = guestEip;
    v.set(F.GUEST_INTERRUPTIBILITY_INFO, guest.blockedBySti ? GUEST_INTERRUPTIBILITY_STI : 0);
    v.set(F.GUEST_ACTIVITY_STATE, guest.state === STATE_HALTED ? GUEST_ACTIVITY_HLT : GUEST_ACTIVITY_ACTIVE);
    if (this.pin & PIN.PREEMPTION_TIMER && v.get(F.VM_EXIT_CONTROLS) & EXIT_CTL.SAVE_PREEMPTION_TIMER) {
      v.set(F.VMX_PREEMPTION_TIMER_VALUE, Math.max(0, Math.ceil((this.preemptionDeadline - guest.cycles) / 2 ** PREEMPTION_TIMER_RATE)));
    }
    this.preemptionDeadline = Infinity;
    this.writeExitInformation(reason, info);
    guest.state = STATE_STALLED;
    guest.switchLevel(guest.hostLevel);
    host.cycles = Math.max(host.cycles, guest.cycles) + this.costs.threadSwitch;
    host.state = STATE_RUNNING;
    host.eip = v.get(F.HOST_RIP);
  }

  // ---- VM exit (SDM 27) --------------------------------------------------------------

  /** Leaves the guest: saves its state at `guestEip`, records why, loads the host. */
  exit(reason: number, guestEip: number, info: ExitInfo, fromGuest = true): void {
    if (this.host) return this.exitThread(reason, guestEip, info);
    const v = this.vmcs;
    const cpu = this.cpu;
    if (fromGuest) {
      cpu.switchLevel(cpu.hostLevel);
      v.set(F.GUEST_RIP, guestEip);
      v.set(F.GUEST_RSP, cpu.regs[4]);
      v.set(F.GUEST_RFLAGS, cpu.eflags);
      v.set(F.GUEST_IDTR_BASE, cpu.idtBase);
      v.set(F.GUEST_IDTR_LIMIT, cpu.idtCount);
      v.set(F.GUEST_INTERRUPTIBILITY_INFO, cpu.blockedBySti ? GUEST_INTERRUPTIBILITY_STI : 0);
      v.set(F.GUEST_ACTIVITY_STATE, cpu.state === STATE_HALTED ? GUEST_ACTIVITY_HLT : GUEST_ACTIVITY_ACTIVE);
      if (this.pin & PIN.PREEMPTION_TIMER && v.get(F.VM_EXIT_CONTROLS) & EXIT_CTL.SAVE_PREEMPTION_TIMER) {
        const left = Math.max(0, Math.ceil((this.preemptionDeadline - cpu.cycles) / 2 ** PREEMPTION_TIMER_RATE));
        v.set(F.VMX_PREEMPTION_TIMER_VALUE, left);
      }
      this.recorder.exited(cpu, reason & 0xffff, guestEip, info.qualification);
      cpu.cycles += this.costs.vmExit;
    }
    this.writeExitInformation(reason, info);

    this.nonRoot = false;
    this.preemptionDeadline = Infinity;
    cpu.setTranslation(false);
    cpu.state = STATE_RUNNING;
    cpu.eip = v.get(F.HOST_RIP);
    cpu.regs[4] = v.get(F.HOST_RSP);
    cpu.idtBase = v.get(F.HOST_IDTR_BASE) >>> 0;
    cpu.idtCount = 256;
    cpu.eflags = 2;
    cpu.interruptShadowEnd = 0;
  }
}
