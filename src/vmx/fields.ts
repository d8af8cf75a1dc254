// The VMCS field table: every field this machine implements, with Intel's
// encoding (SDM vol. 3D appendix B). It drives vmread/vmwrite, the guests'
// include file (guests/include/vmcs.inc) and docs/vmx.md.
//
// An encoding's bits say what the field is: bit 0 the access type (1 = the
// high 32 bits of a 64-bit field), bits 9:1 the index, bits 11:10 the type
// (0 control, 1 read-only data, 2 guest state, 3 host state), bits 14:13 the
// width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural). Registers are 32 bits
// here, so natural-width fields hold 32 bits and a 64-bit field is read or
// written in two halves, the high one through encoding + 1, as 32-bit
// software does on Intel.

export type FieldWidth = 16 | 32 | 64 | 'natural';
export type FieldType = 'control' | 'read-only' | 'guest' | 'host';

export interface VmcsField {
  readonly name: string;
  readonly encoding: number;
  readonly description: string;
  /** Whether a nested hypervisor lets its guest hypervisor access the field
   * through a shadow VMCS without exiting, after KVM's vmcs_shadow_fields.h:
   * 'read' for exit information L1 reads after every exit, 'read-write' for
   * the guest state and entry fields L1 updates before every entry. */
  readonly shadow?: 'read' | 'read-write';
}

export const VMCS_FIELDS: readonly VmcsField[] = [
  // 64-bit control fields
  { name: 'IO_BITMAP_A', encoding: 0x2000, description: 'physical address of the I/O bitmap for ports 0x0000-0x7FFF' },
  { name: 'IO_BITMAP_B', encoding: 0x2002, description: 'physical address of the I/O bitmap for ports 0x8000-0xFFFF' },
  { name: 'MSR_BITMAP', encoding: 0x2004, description: 'physical address of the 4 KiB MSR bitmap' },
  { name: 'TSC_OFFSET', encoding: 0x2010, description: 'added to the TSC the guest reads (rdtsc, rdmsr 0x10)', shadow: 'read-write' },
  { name: 'EPT_POINTER', encoding: 0x201a, description: 'EPTP: page-directory address, walk length, memory type' },
  { name: 'VMREAD_BITMAP', encoding: 0x2026, description: 'physical address of the VMREAD bitmap (VMCS shadowing)' },
  { name: 'VMWRITE_BITMAP', encoding: 0x2028, description: 'physical address of the VMWRITE bitmap (VMCS shadowing)' },
  // 64-bit read-only data
  { name: 'GUEST_PHYSICAL_ADDRESS', encoding: 0x2400, description: 'guest-physical address of an EPT violation', shadow: 'read' },
  // 64-bit guest state
  { name: 'VMCS_LINK_POINTER', encoding: 0x2800, description: 'shadow VMCS address for VMCS shadowing, else all ones' },
  // 32-bit control fields
  { name: 'PIN_BASED_VM_EXEC_CONTROL', encoding: 0x4000, description: 'pin-based controls: external-interrupt exiting, preemption timer' },
  { name: 'CPU_BASED_VM_EXEC_CONTROL', encoding: 0x4002, description: 'primary processor-based controls', shadow: 'read-write' },
  { name: 'EXCEPTION_BITMAP', encoding: 0x4004, description: 'bit n set: exception vector n in the guest causes a VM exit', shadow: 'read-write' },
  { name: 'VM_EXIT_CONTROLS', encoding: 0x400c, description: 'VM-exit controls' },
  { name: 'VM_ENTRY_CONTROLS', encoding: 0x4012, description: 'VM-entry controls' },
  { name: 'VM_ENTRY_INTR_INFO_FIELD', encoding: 0x4016, description: 'event to inject at VM entry: vector, type, valid bit 31', shadow: 'read-write' },
  { name: 'VM_ENTRY_EXCEPTION_ERROR_CODE', encoding: 0x4018, description: 'error code of an injected exception', shadow: 'read-write' },
  { name: 'VM_ENTRY_INSTRUCTION_LEN', encoding: 0x401a, description: 'length of the instruction of an injected software interrupt', shadow: 'read-write' },
  {
    name: 'SUBORDINATE_THREAD',
    encoding: 0x40f0,
    description: "hw mode (this machine's extension): the thread whose registers the guest may access with rdtreg/wrtreg",
  },
  { name: 'SECONDARY_VM_EXEC_CONTROL', encoding: 0x401e, description: 'secondary processor-based controls: EPT, VMCS shadowing' },
  // 32-bit read-only data
  { name: 'VM_INSTRUCTION_ERROR', encoding: 0x4400, description: 'error number of the last VMfailValid' },
  { name: 'VM_EXIT_REASON', encoding: 0x4402, description: 'basic exit reason in bits 15:0; bit 31 set for a failed VM entry', shadow: 'read' },
  { name: 'VM_EXIT_INTR_INFO', encoding: 0x4404, description: 'the exception or interrupt that caused the exit', shadow: 'read' },
  { name: 'VM_EXIT_INTR_ERROR_CODE', encoding: 0x4406, description: 'its error code', shadow: 'read' },
  { name: 'IDT_VECTORING_INFO_FIELD', encoding: 0x4408, description: 'an event whose delivery the exit interrupted', shadow: 'read' },
  { name: 'IDT_VECTORING_ERROR_CODE', encoding: 0x440a, description: 'its error code', shadow: 'read' },
  { name: 'VM_EXIT_INSTRUCTION_LEN', encoding: 0x440c, description: 'length of the instruction that caused the exit', shadow: 'read' },
  { name: 'VMX_INSTRUCTION_INFO', encoding: 0x440e, description: 'operands of the VMX instruction that caused the exit', shadow: 'read' },
  // 32-bit guest state
  { name: 'GUEST_IDTR_LIMIT', encoding: 0x4812, description: "the guest's interrupt-table entry count (lidt's count)" },
  { name: 'GUEST_INTERRUPTIBILITY_INFO', encoding: 0x4824, description: 'bit 0: blocking by sti (the sti shadow)', shadow: 'read-write' },
  { name: 'GUEST_ACTIVITY_STATE', encoding: 0x4826, description: '0 active, 1 HLT', shadow: 'read-write' },
  {
    name: 'GUEST_THREAD',
    encoding: 0x48f0,
    description: 'hw mode (this machine\'s extension): the hardware thread that runs the guest',
  },
  { name: 'VMX_PREEMPTION_TIMER_VALUE', encoding: 0x482e, description: 'counts down in the guest; at zero, a VM exit' },
  // natural-width read-only data
  { name: 'EXIT_QUALIFICATION', encoding: 0x6400, description: 'reason-specific detail of the exit', shadow: 'read' },
  { name: 'GUEST_LINEAR_ADDRESS', encoding: 0x640a, description: 'guest address of an EPT violation (no paging: the guest-physical one)', shadow: 'read' },
  // natural-width guest state
  { name: 'GUEST_IDTR_BASE', encoding: 0x6818, description: "the guest's interrupt-table base" },
  { name: 'GUEST_RSP', encoding: 0x681c, description: 'guest esp', shadow: 'read-write' },
  { name: 'GUEST_RIP', encoding: 0x681e, description: 'guest eip', shadow: 'read-write' },
  { name: 'GUEST_RFLAGS', encoding: 0x6820, description: 'guest eflags (bit 1 must be set)', shadow: 'read-write' },
  // natural-width host state
  { name: 'HOST_IDTR_BASE', encoding: 0x6c0e, description: "the host's interrupt-table base, loaded at VM exit" },
  { name: 'HOST_RSP', encoding: 0x6c14, description: 'host esp, loaded at VM exit' },
  { name: 'HOST_RIP', encoding: 0x6c16, description: 'host eip, loaded at VM exit' },
];

export function fieldWidth(encoding: number): FieldWidth {
  return ([16, 64, 32, 'natural'] as const)[(encoding >>> 13) & 3];
}

export function fieldType(encoding: number): FieldType {
  return (['control', 'read-only', 'guest', 'host'] as const)[(encoding >>> 10) & 3];
}
