// VMX constants with Intel's numbers: control bits, VM-instruction errors,
// capability MSRs, the EPT and event formats. Each group is one table that
// the hardware uses and guests/include/vmx.inc and docs/vmx.md print.

export interface Constant {
  readonly name: string;
  readonly value: number;
  readonly description: string;
}

export interface ConstantGroup {
  readonly title: string;
  readonly constants: readonly Constant[];
}

const c = (name: string, value: number, description: string): Constant => ({ name, value, description });

export const PIN = {
  EXTERNAL_INTERRUPT_EXITING: 1 << 0,
  PREEMPTION_TIMER: 1 << 6,
} as const;

export const PROC = {
  INTERRUPT_WINDOW_EXITING: 1 << 2,
  USE_TSC_OFFSETTING: 1 << 3,
  HLT_EXITING: 1 << 7,
  MWAIT_EXITING: 1 << 10,
  RDTSC_EXITING: 1 << 12,
  UNCONDITIONAL_IO_EXITING: 1 << 24,
  USE_IO_BITMAPS: 1 << 25,
  USE_MSR_BITMAPS: 1 << 28,
  MONITOR_EXITING: 1 << 29,
  PAUSE_EXITING: 1 << 30,
  ACTIVATE_SECONDARY_CONTROLS: 1 << 31,
} as const;

export const PROC2 = {
  ENABLE_EPT: 1 << 1,
  VMCS_SHADOWING: 1 << 14,
  /** hw mode (this machine's extension): VM entry resumes GUEST_THREAD and stalls this one. */
  THREAD_SWITCHING: 1 << 30,
  /** hw mode: the guest may use rdtreg/wrtreg on SUBORDINATE_THREAD without exiting. */
  SUBORDINATE_REGISTER_ACCESS: 1 << 29,
} as const;

export const EXIT_CTL = {
  ACK_INTERRUPT_ON_EXIT: 1 << 15,
  SAVE_PREEMPTION_TIMER: 1 << 22,
} as const;

/** VM-instruction error numbers (SDM vol. 3C 31.4). */
export const VMERR = {
  VMCALL_IN_ROOT: 1,
  VMCLEAR_INVALID_ADDRESS: 2,
  VMCLEAR_VMXON_POINTER: 3,
  VMLAUNCH_NONCLEAR: 4,
  VMRESUME_NONLAUNCHED: 5,
  ENTRY_INVALID_CONTROLS: 7,
  ENTRY_INVALID_HOST_STATE: 8,
  VMPTRLD_INVALID_ADDRESS: 9,
  VMPTRLD_VMXON_POINTER: 10,
  VMPTRLD_INCORRECT_REVISION: 11,
  UNSUPPORTED_COMPONENT: 12,
  READ_ONLY_COMPONENT: 13,
  VMXON_IN_ROOT: 15,
  INVALID_INVEPT_OPERAND: 28,
} as const;

/** Capability MSR indices. */
export const VMX_MSR = {
  IA32_VMX_BASIC: 0x480,
  IA32_VMX_PINBASED_CTLS: 0x481,
  IA32_VMX_PROCBASED_CTLS: 0x482,
  IA32_VMX_EXIT_CTLS: 0x483,
  IA32_VMX_ENTRY_CTLS: 0x484,
  IA32_VMX_MISC: 0x485,
  IA32_VMX_PROCBASED_CTLS2: 0x48b,
  IA32_VMX_EPT_VPID_CAP: 0x48c,
} as const;

export const VMCS_REVISION_ID = 0x534e0001;
export const VMCS_REGION_SIZE = 4096;
/** Preemption timer: counts down once every 2^5 cycles (IA32_VMX_MISC bits 4:0). */
export const PREEMPTION_TIMER_RATE = 5;
/** IA32_VMX_MISC bit 29: VMWRITE may write any field, the exit-information fields included. */
export const MISC_VMWRITE_ANY_FIELD = 1 << 29;

/** Allowed-1 settings of each control word (allowed-0 settings are all zero: every control may be 0). */
export const ALLOWED_PIN = PIN.EXTERNAL_INTERRUPT_EXITING | PIN.PREEMPTION_TIMER;
export const ALLOWED_PROC = Object.values(PROC).reduce((a, b) => a | b, 0);
export const ALLOWED_PROC2 = PROC2.ENABLE_EPT | PROC2.VMCS_SHADOWING;
/** Allowed-1 secondary controls with the hw-mode thread extension. */
export const ALLOWED_PROC2_HW = ALLOWED_PROC2 | PROC2.THREAD_SWITCHING | PROC2.SUBORDINATE_REGISTER_ACCESS;
/** rdtreg/wrtreg register numbers past the general registers. */
export const THREAD_REG = { EIP: 16, EFLAGS: 17 } as const;
export const ALLOWED_EXIT_CTLS = EXIT_CTL.ACK_INTERRUPT_ON_EXIT | EXIT_CTL.SAVE_PREEMPTION_TIMER;
export const ALLOWED_ENTRY_CTLS = 0;

/** EPT: a two-level table of 4 KiB pages (10 + 10 + 12 bits). */
export const EPT = {
  READ: 1 << 0,
  WRITE: 1 << 1,
  EXECUTE: 1 << 2,
  /** EPTP bits 2:0: memory type write-back. */
  EPTP_WRITE_BACK: 6,
  /** EPTP bits 5:3: page-walk length minus one; this machine walks two levels. */
  EPTP_WALK_LENGTH_2: 1 << 3,
  /** IA32_VMX_EPT_VPID_CAP: write-back tables, INVEPT, single- and all-context. */
  CAP_WRITE_BACK: 1 << 14,
  CAP_INVEPT: 1 << 20,
  CAP_INVEPT_SINGLE_CONTEXT: 1 << 25,
  CAP_INVEPT_ALL_CONTEXT: 1 << 26,
  INVEPT_SINGLE_CONTEXT: 1,
  INVEPT_ALL_CONTEXT: 2,
} as const;

/** EPT-violation exit qualification bits. */
export const EPT_QUAL = {
  DATA_READ: 1 << 0,
  DATA_WRITE: 1 << 1,
  INSTRUCTION_FETCH: 1 << 2,
  /** Bits 5:3: the permissions the translation had (0 if not present). */
  PERMISSIONS_SHIFT: 3,
} as const;

/** I/O exit qualification: Intel's layout (always 4-byte, not string or rep). */
export const IO_QUAL = {
  SIZE_4: 3,
  DIRECTION_IN: 1 << 3,
  PORT_IMMEDIATE: 1 << 6,
  PORT_SHIFT: 16,
} as const;

/** Interruption information (VM_ENTRY_INTR_INFO_FIELD, VM_EXIT_INTR_INFO). */
export const INTR_INFO = {
  VECTOR_MASK: 0xff,
  TYPE_EXTERNAL_INTERRUPT: 0 << 8,
  TYPE_HARDWARE_EXCEPTION: 3 << 8,
  TYPE_SOFTWARE_INTERRUPT: 4 << 8,
  TYPE_MASK: 7 << 8,
  VALID: 0x80000000 | 0,
} as const;

/** VMX_INSTRUCTION_INFO, Intel's layout for VMREAD/VMWRITE/VMPTRLD/...; this
 * machine also fills it for I/O exits (reg1 = the data register, reg2 = the
 * port register when the port is not an immediate). */
export const INSN_INFO = {
  SCALE_SHIFT: 0,
  REG1_SHIFT: 3,
  REG1_IS_REGISTER: 1 << 10,
  INDEX_SHIFT: 18,
  INDEX_INVALID: 1 << 22,
  BASE_SHIFT: 23,
  BASE_INVALID: 1 << 27,
  REG2_SHIFT: 28,
} as const;

export const GUEST_INTERRUPTIBILITY_STI = 1 << 0;
export const GUEST_ACTIVITY_ACTIVE = 0;
export const GUEST_ACTIVITY_HLT = 1;

function group(title: string, prefix: string, values: Record<string, number>, describe: (name: string) => string): ConstantGroup {
  return {
    title,
    constants: Object.entries(values).map(([name, value]) => c(prefix + name, value, describe(name))),
  };
}

const words = (name: string): string => name.toLowerCase().replace(/_/g, ' ');

/** Everything guests need, for guests/include/vmx.inc and docs/vmx.md. */
export const VMX_CONSTANT_GROUPS: readonly ConstantGroup[] = [
  group('Pin-based controls (PIN_BASED_VM_EXEC_CONTROL)', 'PIN_', PIN, words),
  group('Primary processor-based controls (CPU_BASED_VM_EXEC_CONTROL)', 'PROC_', PROC, words),
  group('Secondary processor-based controls (SECONDARY_VM_EXEC_CONTROL)', 'PROC2_', PROC2, words),
  group('VM-exit controls (VM_EXIT_CONTROLS)', 'EXIT_CTL_', EXIT_CTL, words),
  group('VM-instruction error numbers (VM_INSTRUCTION_ERROR)', 'VMERR_', VMERR, words),
  group('Capability MSRs', 'MSR_', VMX_MSR, (name) => name),
  group('EPT', 'EPT_', EPT, words),
  group('EPT-violation exit qualification', 'EPT_QUAL_', EPT_QUAL, words),
  group('I/O exit qualification', 'IO_QUAL_', IO_QUAL, words),
  group('Interruption information', 'INTR_INFO_', INTR_INFO, words),
  group('VMX instruction information', 'INSN_INFO_', INSN_INFO, words),
  group('rdtreg/wrtreg register numbers beyond the general registers', 'THREAD_REG_', THREAD_REG, words),
  {
    title: 'VMCS regions and guest state',
    constants: [
      c('VMCS_REVISION_ID', VMCS_REVISION_ID, 'IA32_VMX_BASIC bits 30:0; the first dword of every VMXON and VMCS region'),
      c('VMCS_REGION_SIZE', VMCS_REGION_SIZE, 'bytes of a VMXON or VMCS region'),
      c('GUEST_INTERRUPTIBILITY_STI', GUEST_INTERRUPTIBILITY_STI, 'blocking by sti'),
      c('GUEST_ACTIVITY_ACTIVE', GUEST_ACTIVITY_ACTIVE, 'activity state: active'),
      c('GUEST_ACTIVITY_HLT', GUEST_ACTIVITY_HLT, 'activity state: halted'),
      c('MISC_VMWRITE_ANY_FIELD', MISC_VMWRITE_ANY_FIELD, 'IA32_VMX_MISC: VMWRITE to exit-information fields allowed'),
      c('PREEMPTION_TIMER_RATE', PREEMPTION_TIMER_RATE, 'the preemption timer ticks every 2^RATE cycles'),
    ],
  },
];
