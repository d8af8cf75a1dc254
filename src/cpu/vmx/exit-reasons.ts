// Basic exit reasons (SDM vol. 3D appendix C), with the names KVM uses
// (arch/x86/include/uapi/asm/vmx.h), which the statistics print. The table
// drives guests/include/exit-reasons.inc, docs/vmx.md and the stats rows.

export interface ExitReason {
  readonly code: number;
  readonly name: string;
  readonly description: string;
}

const DEFINITIONS = {
  EXCEPTION_NMI: [0, 'a guest exception whose bit is set in EXCEPTION_BITMAP'],
  EXTERNAL_INTERRUPT: [1, 'an external interrupt, with external-interrupt exiting'],
  TRIPLE_FAULT: [2, 'the guest triple-faulted'],
  INTERRUPT_WINDOW: [7, 'the guest can take an interrupt (IF set, no sti shadow), with interrupt-window exiting'],
  CPUID: [10, 'cpuid (always exits)'],
  HLT: [12, 'hlt, with HLT exiting'],
  RDTSC: [16, 'rdtsc, with RDTSC exiting'],
  VMCALL: [18, 'vmcall (always exits)'],
  VMCLEAR: [19, 'vmclear in a guest'],
  VMLAUNCH: [20, 'vmlaunch in a guest'],
  VMPTRLD: [21, 'vmptrld in a guest'],
  VMPTRST: [22, 'vmptrst in a guest'],
  VMREAD: [23, 'vmread in a guest (unless shadowing lets it through)'],
  VMRESUME: [24, 'vmresume in a guest'],
  VMWRITE: [25, 'vmwrite in a guest (unless shadowing lets it through)'],
  VMOFF: [26, 'vmxoff in a guest'],
  VMON: [27, 'vmxon in a guest'],
  IO_INSTRUCTION: [30, 'in/out, with unconditional I/O exiting or a set I/O-bitmap bit'],
  MSR_READ: [31, 'rdmsr, without MSR bitmaps or with a set bitmap bit'],
  MSR_WRITE: [32, 'wrmsr, without MSR bitmaps or with a set bitmap bit'],
  INVALID_STATE: [33, 'VM entry failed: invalid guest state (reason has bit 31 set)'],
  MWAIT_INSTRUCTION: [36, 'mwait, with MWAIT exiting'],
  MONITOR_INSTRUCTION: [39, 'monitor, with MONITOR exiting'],
  PAUSE_INSTRUCTION: [40, 'pause, with PAUSE exiting'],
  EPT_VIOLATION: [48, 'a guest access that EPT does not map or permit'],
  INVEPT: [50, 'invept in a guest'],
  THREAD_REGISTER_ACCESS: [80, 'hw mode (this machine): rdtreg/wrtreg in a guest not granted the thread'],
  PREEMPTION_TIMER: [52, 'the VMX-preemption timer counted down to zero'],
} as const;

type ExitName = keyof typeof DEFINITIONS;

/** Exit reason numbers by name: EXIT.CPUID === 10. */
export const EXIT = Object.fromEntries(Object.entries(DEFINITIONS).map(([name, [code]]) => [name, code])) as {
  readonly [K in ExitName]: (typeof DEFINITIONS)[K][0];
};

export const EXIT_REASONS: readonly ExitReason[] = Object.entries(DEFINITIONS).map(([name, [code, description]]) => ({
  code,
  name,
  description,
}));

/** Names by basic exit reason number (undefined where this machine has none). */
export const EXIT_REASON_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const r of EXIT_REASONS) names[r.code] = r.name;
  return names;
})();

/** Bit 31 of VM_EXIT_REASON: the exit reports a failed VM entry. */
export const EXIT_REASON_ENTRY_FAILURE = 0x80000000;
