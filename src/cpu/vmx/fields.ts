// The VMCS field table: Intel's field set (SDM vol. 3D appendix B, as of the
// processors of the paper's time and KVM's struct vmcs12), with Intel's
// encodings, plus the two fields of this machine's hw-mode extension. It
// drives vmread/vmwrite, the guests' include files (guests/include/vmcs.inc,
// vmcs12.inc: the layout and the lists L0's nested VMX copies) and
// docs/vmx.md. Most fields hold state this machine does not have (segments,
// control registers, MSRs): they are stored, read and written as on Intel,
// and hypervisors move them as KVM does, but nothing else looks at them.
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

/** How L0's nested VMX (guests/l0/nested.inc) moves a field between vmcs12
 * and vmcs02, after KVM's nested.c: 'every' at every entry or exit, 'rare'
 * only when needed (prepare_vmcs02_rare when L1 wrote a field that is not
 * shadowed, dirty_vmcs12; sync_vmcs02_to_vmcs12_rare when L1 next reads one,
 * need_sync_vmcs02_to_vmcs12_rare). Fields without it are either merged by
 * L0's code (the controls, EPT, the exception bitmap, the TSC offset, the
 * injected event, the preemption timer), L0's own in vmcs02 (its host state,
 * MSR areas, APIC pages), or not copied by KVM at all. */
export type NestedCopy = 'every' | 'rare';

export interface VmcsField {
  readonly name: string;
  readonly encoding: number;
  readonly description: string;
  /** Whether a nested hypervisor lets its guest hypervisor access the field
   * through a shadow VMCS without exiting: KVM's vmcs_shadow_fields.h,
   * SHADOW_FIELD_RO ('read') and SHADOW_FIELD_RW ('read-write'). */
  readonly shadow?: 'read' | 'read-write';
  /** prepare_vmcs02: vmcs12's value copied into vmcs02 on entering L2. */
  readonly entry?: NestedCopy;
  /** sync_vmcs02_to_vmcs12: vmcs02's value copied back into vmcs12 when L2 exits to L1. */
  readonly exit?: NestedCopy;
  /** load_vmcs12_host_state: on a host-state field, the guest-state field of
   * vmcs01 that L1's state is loaded into when L2 exits to L1 (SDM 28.5). */
  readonly loads?: string;
  /** This machine gives the field a meaning (the others are held, and copied
   * by hypervisors as on Intel, but change nothing). */
  readonly used?: boolean;
}

// The SDM's segment registers, in encoding order.
const SEGMENTS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'] as const;
const seg = (base: number, kind: string, what: (s: string) => string, extra: (s: string) => Partial<VmcsField> = () => ({})): VmcsField[] =>
  SEGMENTS.map((s, i) => ({ name: `GUEST_${s}_${kind}`, encoding: base + 2 * i, description: what(s), ...extra(s) }));
// KVM syncs CS and SS access rights at every exit (the CPL lives there), the rest on demand.
const arSync = (s: string): Partial<VmcsField> => (s === 'CS' || s === 'SS' ? { entry: 'rare', exit: 'every', shadow: 'read' } : { entry: 'rare', exit: 'rare' });
const rare: Partial<VmcsField> = { entry: 'rare', exit: 'rare' };

export const VMCS_FIELDS: readonly VmcsField[] = [
  // 16-bit control fields
  { name: 'VIRTUAL_PROCESSOR_ID', encoding: 0x0000, description: 'VPID: tags the guest\'s TLB entries' },
  { name: 'POSTED_INTR_NV', encoding: 0x0002, description: 'posted-interrupt notification vector' },
  { name: 'EPTP_INDEX', encoding: 0x0004, description: 'index of the EPTP in the EPTP list (EPT-violation #VE)' },
  // 16-bit guest state
  ...seg(0x0800, 'SELECTOR', (s) => `guest ${s} selector`, () => rare),
  { name: 'GUEST_INTR_STATUS', encoding: 0x0810, description: 'guest interrupt status (virtual-interrupt delivery: RVI, SVI)', shadow: 'read-write', ...rare },
  { name: 'GUEST_PML_INDEX', encoding: 0x0812, description: 'page-modification log index', shadow: 'read-write' },
  // 16-bit host state
  ...SEGMENTS.filter((s) => s !== 'LDTR').map((s, i) => ({
    name: `HOST_${s}_SELECTOR`,
    encoding: 0x0c00 + 2 * i,
    description: `host ${s} selector, loaded at VM exit`,
    loads: `GUEST_${s}_SELECTOR`,
    ...(s === 'FS' || s === 'GS' ? { shadow: 'read-write' as const } : {}),
  })),
  // 64-bit control fields
  { name: 'IO_BITMAP_A', encoding: 0x2000, description: 'physical address of the I/O bitmap for ports 0x0000-0x7FFF', used: true },
  { name: 'IO_BITMAP_B', encoding: 0x2002, description: 'physical address of the I/O bitmap for ports 0x8000-0xFFFF', used: true },
  { name: 'MSR_BITMAP', encoding: 0x2004, description: 'physical address of the 4 KiB MSR bitmap', used: true },
  { name: 'VM_EXIT_MSR_STORE_ADDR', encoding: 0x2006, description: 'VM-exit MSR-store area' },
  { name: 'VM_EXIT_MSR_LOAD_ADDR', encoding: 0x2008, description: 'VM-exit MSR-load area' },
  { name: 'VM_ENTRY_MSR_LOAD_ADDR', encoding: 0x200a, description: 'VM-entry MSR-load area' },
  { name: 'EXECUTIVE_VMCS_POINTER', encoding: 0x200c, description: 'executive-VMCS pointer (SMM dual-monitor treatment)' },
  { name: 'PML_ADDRESS', encoding: 0x200e, description: 'page-modification log address' },
  { name: 'TSC_OFFSET', encoding: 0x2010, description: 'added to the TSC the guest reads (rdtsc, rdmsr 0x10)', used: true },
  { name: 'VIRTUAL_APIC_PAGE_ADDR', encoding: 0x2012, description: 'virtual-APIC page address (TPR shadow)' },
  { name: 'APIC_ACCESS_ADDR', encoding: 0x2014, description: 'APIC-access page address' },
  { name: 'POSTED_INTR_DESC_ADDR', encoding: 0x2016, description: 'posted-interrupt descriptor address' },
  { name: 'VM_FUNCTION_CONTROL', encoding: 0x2018, description: 'VM-function controls (EPTP switching)' },
  { name: 'EPT_POINTER', encoding: 0x201a, description: 'EPTP: page-directory address, walk length, memory type', used: true },
  { name: 'EOI_EXIT_BITMAP0', encoding: 0x201c, description: 'EOI-exit bitmap, vectors 0-63', entry: 'rare' },
  { name: 'EOI_EXIT_BITMAP1', encoding: 0x201e, description: 'EOI-exit bitmap, vectors 64-127', entry: 'rare' },
  { name: 'EOI_EXIT_BITMAP2', encoding: 0x2020, description: 'EOI-exit bitmap, vectors 128-191', entry: 'rare' },
  { name: 'EOI_EXIT_BITMAP3', encoding: 0x2022, description: 'EOI-exit bitmap, vectors 192-255', entry: 'rare' },
  { name: 'EPTP_LIST_ADDRESS', encoding: 0x2024, description: 'EPTP-list address (VMFUNC 0)' },
  { name: 'VMREAD_BITMAP', encoding: 0x2026, description: 'physical address of the VMREAD bitmap (VMCS shadowing)', used: true },
  { name: 'VMWRITE_BITMAP', encoding: 0x2028, description: 'physical address of the VMWRITE bitmap (VMCS shadowing)', used: true },
  { name: 'VE_INFORMATION_ADDRESS', encoding: 0x202a, description: 'virtualization-exception information address' },
  { name: 'XSS_EXIT_BITMAP', encoding: 0x202c, description: 'XSS-exiting bitmap (XSAVES/XRSTORS)', entry: 'rare' },
  { name: 'ENCLS_EXITING_BITMAP', encoding: 0x202e, description: 'ENCLS-exiting bitmap' },
  { name: 'SPP_TABLE_POINTER', encoding: 0x2030, description: 'sub-page-permission-table pointer' },
  { name: 'TSC_MULTIPLIER', encoding: 0x2032, description: 'TSC multiplier (TSC scaling)' },
  { name: 'TERTIARY_VM_EXEC_CONTROL', encoding: 0x2034, description: 'tertiary processor-based controls' },
  { name: 'ENCLV_EXITING_BITMAP', encoding: 0x2036, description: 'ENCLV-exiting bitmap' },
  // 64-bit read-only data
  { name: 'GUEST_PHYSICAL_ADDRESS', encoding: 0x2400, description: 'guest-physical address of an EPT violation', shadow: 'read', used: true },
  // 64-bit guest state
  { name: 'VMCS_LINK_POINTER', encoding: 0x2800, description: 'shadow VMCS address for VMCS shadowing, else all ones', used: true },
  { name: 'GUEST_IA32_DEBUGCTL', encoding: 0x2802, description: 'guest IA32_DEBUGCTL', entry: 'every' },
  { name: 'GUEST_IA32_PAT', encoding: 0x2804, description: 'guest IA32_PAT' },
  { name: 'GUEST_IA32_EFER', encoding: 0x2806, description: 'guest IA32_EFER', entry: 'every' },
  { name: 'GUEST_IA32_PERF_GLOBAL_CTRL', encoding: 0x2808, description: 'guest IA32_PERF_GLOBAL_CTRL' },
  { name: 'GUEST_PDPTR0', encoding: 0x280a, description: 'guest PAE page-directory-pointer entry 0', ...rare },
  { name: 'GUEST_PDPTR1', encoding: 0x280c, description: 'guest PAE page-directory-pointer entry 1', ...rare },
  { name: 'GUEST_PDPTR2', encoding: 0x280e, description: 'guest PAE page-directory-pointer entry 2', ...rare },
  { name: 'GUEST_PDPTR3', encoding: 0x2810, description: 'guest PAE page-directory-pointer entry 3', ...rare },
  { name: 'GUEST_BNDCFGS', encoding: 0x2812, description: 'guest IA32_BNDCFGS (MPX)', ...rare },
  { name: 'GUEST_IA32_RTIT_CTL', encoding: 0x2814, description: 'guest IA32_RTIT_CTL (processor trace)' },
  // 64-bit host state
  { name: 'HOST_IA32_PAT', encoding: 0x2c00, description: 'host IA32_PAT, loaded at VM exit with VM_EXIT_LOAD_IA32_PAT (not offered to L1)' },
  { name: 'HOST_IA32_EFER', encoding: 0x2c02, description: 'host IA32_EFER, loaded at VM exit', loads: 'GUEST_IA32_EFER' },
  { name: 'HOST_IA32_PERF_GLOBAL_CTRL', encoding: 0x2c04, description: 'host IA32_PERF_GLOBAL_CTRL, loaded at VM exit with VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL (not offered to L1)' },
  // 32-bit control fields
  { name: 'PIN_BASED_VM_EXEC_CONTROL', encoding: 0x4000, description: 'pin-based controls: external-interrupt exiting, preemption timer', shadow: 'read-write', used: true },
  { name: 'CPU_BASED_VM_EXEC_CONTROL', encoding: 0x4002, description: 'primary processor-based controls', shadow: 'read-write', used: true },
  { name: 'EXCEPTION_BITMAP', encoding: 0x4004, description: 'bit n set: exception vector n in the guest causes a VM exit', shadow: 'read-write', used: true },
  { name: 'PAGE_FAULT_ERROR_CODE_MASK', encoding: 0x4006, description: '#PF error-code mask', entry: 'rare' },
  { name: 'PAGE_FAULT_ERROR_CODE_MATCH', encoding: 0x4008, description: '#PF error-code match', entry: 'rare' },
  { name: 'CR3_TARGET_COUNT', encoding: 0x400a, description: 'number of CR3-target values', entry: 'rare' },
  { name: 'VM_EXIT_CONTROLS', encoding: 0x400c, description: 'VM-exit controls', used: true },
  { name: 'VM_EXIT_MSR_STORE_COUNT', encoding: 0x400e, description: 'MSRs stored at VM exit' },
  { name: 'VM_EXIT_MSR_LOAD_COUNT', encoding: 0x4010, description: 'MSRs loaded at VM exit' },
  { name: 'VM_ENTRY_CONTROLS', encoding: 0x4012, description: 'VM-entry controls', used: true },
  { name: 'VM_ENTRY_MSR_LOAD_COUNT', encoding: 0x4014, description: 'MSRs loaded at VM entry' },
  { name: 'VM_ENTRY_INTR_INFO_FIELD', encoding: 0x4016, description: 'event to inject at VM entry: vector, type, valid bit 31', shadow: 'read-write', used: true },
  { name: 'VM_ENTRY_EXCEPTION_ERROR_CODE', encoding: 0x4018, description: 'error code of an injected exception', shadow: 'read-write', used: true },
  { name: 'VM_ENTRY_INSTRUCTION_LEN', encoding: 0x401a, description: 'length of the instruction of an injected software interrupt', shadow: 'read-write', used: true },
  { name: 'TPR_THRESHOLD', encoding: 0x401c, description: 'TPR threshold (TPR shadow)', shadow: 'read-write', entry: 'every' },
  { name: 'SECONDARY_VM_EXEC_CONTROL', encoding: 0x401e, description: 'secondary processor-based controls: EPT, VMCS shadowing', used: true },
  { name: 'PLE_GAP', encoding: 0x4020, description: 'PAUSE-loop exiting gap' },
  { name: 'PLE_WINDOW', encoding: 0x4022, description: 'PAUSE-loop exiting window' },
  {
    name: 'SUBORDINATE_THREAD',
    encoding: 0x40f0,
    description: "hw mode (this machine's extension): the thread whose registers the guest may access with rdtreg/wrtreg",
    used: true,
  },
  // 32-bit read-only data
  { name: 'VM_INSTRUCTION_ERROR', encoding: 0x4400, description: 'error number of the last VMfailValid', used: true },
  { name: 'VM_EXIT_REASON', encoding: 0x4402, description: 'basic exit reason in bits 15:0; bit 31 set for a failed VM entry', shadow: 'read', used: true },
  { name: 'VM_EXIT_INTR_INFO', encoding: 0x4404, description: 'the exception or interrupt that caused the exit', shadow: 'read', used: true },
  { name: 'VM_EXIT_INTR_ERROR_CODE', encoding: 0x4406, description: 'its error code', shadow: 'read', used: true },
  { name: 'IDT_VECTORING_INFO_FIELD', encoding: 0x4408, description: 'an event whose delivery the exit interrupted', shadow: 'read', used: true },
  { name: 'IDT_VECTORING_ERROR_CODE', encoding: 0x440a, description: 'its error code', shadow: 'read', used: true },
  { name: 'VM_EXIT_INSTRUCTION_LEN', encoding: 0x440c, description: 'length of the instruction that caused the exit', shadow: 'read', used: true },
  {
    name: 'VMX_INSTRUCTION_INFO',
    encoding: 0x440e,
    description: "operands of the VMX or I/O instruction that caused the exit (shadowed here though not in KVM's list: this machine's in/out take any register, so L1 reads it at every I/O exit)",
    shadow: 'read',
    used: true,
  },
  // 32-bit guest state
  ...seg(0x4800, 'LIMIT', (s) => `guest ${s} segment limit`, () => rare),
  { name: 'GUEST_GDTR_LIMIT', encoding: 0x4810, description: 'guest GDTR limit', ...rare },
  { name: 'GUEST_IDTR_LIMIT', encoding: 0x4812, description: "the guest's interrupt-table entry count (lidt's count; Intel: the IDTR limit)", ...rare, used: true },
  ...seg(0x4814, 'AR_BYTES', (s) => `guest ${s} access rights`, arSync),
  { name: 'GUEST_INTERRUPTIBILITY_INFO', encoding: 0x4824, description: 'bit 0: blocking by sti (the sti shadow)', shadow: 'read-write', entry: 'every', exit: 'every', used: true },
  { name: 'GUEST_ACTIVITY_STATE', encoding: 0x4826, description: '0 active, 1 HLT', entry: 'every', exit: 'every', used: true },
  { name: 'GUEST_SMBASE', encoding: 0x4828, description: 'guest SMRAM base' },
  { name: 'GUEST_SYSENTER_CS', encoding: 0x482a, description: 'guest IA32_SYSENTER_CS', ...rare },
  { name: 'VMX_PREEMPTION_TIMER_VALUE', encoding: 0x482e, description: 'counts down in the guest; at zero, a VM exit', shadow: 'read-write', used: true },
  {
    name: 'GUEST_THREAD',
    encoding: 0x48f0,
    description: 'hw mode (this machine\'s extension): the hardware thread that runs the guest',
    used: true,
  },
  // 32-bit host state
  { name: 'HOST_IA32_SYSENTER_CS', encoding: 0x4c00, description: 'host IA32_SYSENTER_CS, loaded at VM exit', loads: 'GUEST_SYSENTER_CS' },
  // natural-width control fields
  { name: 'CR0_GUEST_HOST_MASK', encoding: 0x6000, description: 'CR0 bits owned by the host: a guest write of one exits', shadow: 'read-write', entry: 'every' },
  { name: 'CR4_GUEST_HOST_MASK', encoding: 0x6002, description: 'CR4 bits owned by the host', entry: 'rare' },
  { name: 'CR0_READ_SHADOW', encoding: 0x6004, description: 'what the guest reads of the host-owned CR0 bits', shadow: 'read-write', entry: 'every' },
  { name: 'CR4_READ_SHADOW', encoding: 0x6006, description: 'what the guest reads of the host-owned CR4 bits', shadow: 'read-write', entry: 'every' },
  { name: 'CR3_TARGET_VALUE0', encoding: 0x6008, description: 'CR3-target value 0' },
  { name: 'CR3_TARGET_VALUE1', encoding: 0x600a, description: 'CR3-target value 1' },
  { name: 'CR3_TARGET_VALUE2', encoding: 0x600c, description: 'CR3-target value 2' },
  { name: 'CR3_TARGET_VALUE3', encoding: 0x600e, description: 'CR3-target value 3' },
  // natural-width read-only data
  { name: 'EXIT_QUALIFICATION', encoding: 0x6400, description: 'reason-specific detail of the exit', shadow: 'read', used: true },
  { name: 'IO_RCX', encoding: 0x6402, description: 'ecx before an SMI-interrupted I/O instruction' },
  { name: 'IO_RSI', encoding: 0x6404, description: 'esi before an SMI-interrupted I/O instruction' },
  { name: 'IO_RDI', encoding: 0x6406, description: 'edi before an SMI-interrupted I/O instruction' },
  { name: 'IO_RIP', encoding: 0x6408, description: 'eip of an SMI-interrupted I/O instruction' },
  { name: 'GUEST_LINEAR_ADDRESS', encoding: 0x640a, description: 'guest address of an EPT violation (no paging: the guest-physical one)', shadow: 'read', exit: 'every', used: true },
  // natural-width guest state
  { name: 'GUEST_CR0', encoding: 0x6800, description: 'guest CR0', shadow: 'read-write', entry: 'every', exit: 'every' },
  { name: 'GUEST_CR3', encoding: 0x6802, description: 'guest CR3', shadow: 'read-write', entry: 'every', exit: 'every' },
  { name: 'GUEST_CR4', encoding: 0x6804, description: 'guest CR4', shadow: 'read-write', entry: 'every', exit: 'every' },
  ...seg(0x6806, 'BASE', (s) => `guest ${s} segment base`, () => rare),
  { name: 'GUEST_GDTR_BASE', encoding: 0x6816, description: 'guest GDTR base', ...rare },
  { name: 'GUEST_IDTR_BASE', encoding: 0x6818, description: "the guest's interrupt-table base", ...rare, used: true },
  { name: 'GUEST_DR7', encoding: 0x681a, description: 'guest DR7', entry: 'every' },
  { name: 'GUEST_RSP', encoding: 0x681c, description: 'guest esp', shadow: 'read-write', entry: 'every', exit: 'every', used: true },
  { name: 'GUEST_RIP', encoding: 0x681e, description: 'guest eip', shadow: 'read-write', entry: 'every', exit: 'every', used: true },
  { name: 'GUEST_RFLAGS', encoding: 0x6820, description: 'guest eflags (bit 1 must be set)', shadow: 'read-write', entry: 'every', exit: 'every', used: true },
  { name: 'GUEST_PENDING_DBG_EXCEPTIONS', encoding: 0x6822, description: 'guest pending debug exceptions', entry: 'rare', exit: 'every' },
  { name: 'GUEST_SYSENTER_ESP', encoding: 0x6824, description: 'guest IA32_SYSENTER_ESP', ...rare },
  { name: 'GUEST_SYSENTER_EIP', encoding: 0x6826, description: 'guest IA32_SYSENTER_EIP', ...rare },
  // natural-width host state
  { name: 'HOST_CR0', encoding: 0x6c00, description: 'host CR0, loaded at VM exit', loads: 'GUEST_CR0' },
  { name: 'HOST_CR3', encoding: 0x6c02, description: 'host CR3, loaded at VM exit', loads: 'GUEST_CR3' },
  { name: 'HOST_CR4', encoding: 0x6c04, description: 'host CR4, loaded at VM exit', loads: 'GUEST_CR4' },
  { name: 'HOST_FS_BASE', encoding: 0x6c06, description: 'host FS base, loaded at VM exit', shadow: 'read-write', loads: 'GUEST_FS_BASE' },
  { name: 'HOST_GS_BASE', encoding: 0x6c08, description: 'host GS base, loaded at VM exit', shadow: 'read-write', loads: 'GUEST_GS_BASE' },
  { name: 'HOST_TR_BASE', encoding: 0x6c0a, description: 'host TR base, loaded at VM exit', loads: 'GUEST_TR_BASE' },
  { name: 'HOST_GDTR_BASE', encoding: 0x6c0c, description: 'host GDTR base, loaded at VM exit', loads: 'GUEST_GDTR_BASE' },
  { name: 'HOST_IDTR_BASE', encoding: 0x6c0e, description: "the host's interrupt-table base, loaded at VM exit", loads: 'GUEST_IDTR_BASE', used: true },
  { name: 'HOST_IA32_SYSENTER_ESP', encoding: 0x6c10, description: 'host IA32_SYSENTER_ESP, loaded at VM exit', loads: 'GUEST_SYSENTER_ESP' },
  { name: 'HOST_IA32_SYSENTER_EIP', encoding: 0x6c12, description: 'host IA32_SYSENTER_EIP, loaded at VM exit', loads: 'GUEST_SYSENTER_EIP' },
  { name: 'HOST_RSP', encoding: 0x6c14, description: 'host esp, loaded at VM exit', loads: 'GUEST_RSP', used: true },
  { name: 'HOST_RIP', encoding: 0x6c16, description: 'host eip, loaded at VM exit', loads: 'GUEST_RIP', used: true },
];

/** What a VM exit loads besides the host-state fields (SDM 28.5.2-28.5.3, for
 * a 32-bit host): the fixed parts of the host's segments and descriptor
 * tables, DR7 and IA32_DEBUGCTL. load_vmcs12_host_state writes these into
 * vmcs01 for L1, as KVM's does. (eflags 2 and the interrupt table's entry
 * count, the two this machine uses, are written by the code itself.) */
export const HOST_STATE_CONSTANTS: readonly { field: string; value: number; why: string }[] = [
  ...(['ES', 'CS', 'SS', 'DS', 'FS', 'GS'] as const).flatMap((s) => [
    { field: `GUEST_${s}_LIMIT`, value: 0xffffffff, why: `${s}: limit 4 GiB` },
    { field: `GUEST_${s}_AR_BYTES`, value: s === 'CS' ? 0xc09b : 0xc093, why: `${s}: ${s === 'CS' ? 'execute/read, accessed' : 'read/write, accessed'}, present, 32-bit, 4 KiB granularity` },
  ]),
  ...(['ES', 'CS', 'SS', 'DS'] as const).map((s) => ({ field: `GUEST_${s}_BASE`, value: 0, why: `${s}: base 0` })),
  { field: 'GUEST_TR_LIMIT', value: 0x67, why: 'TR: a 32-bit TSS' },
  { field: 'GUEST_TR_AR_BYTES', value: 0x8b, why: 'TR: busy 32-bit TSS, present' },
  { field: 'GUEST_LDTR_SELECTOR', value: 0, why: 'LDTR: null' },
  { field: 'GUEST_LDTR_AR_BYTES', value: 0x10000, why: 'LDTR: unusable' },
  { field: 'GUEST_GDTR_LIMIT', value: 0xffff, why: 'GDTR: limit 0xFFFF' },
  { field: 'GUEST_DR7', value: 0x400, why: 'DR7: 0x400' },
  { field: 'GUEST_IA32_DEBUGCTL', value: 0, why: 'IA32_DEBUGCTL: 0' },
];

export function fieldWidth(encoding: number): FieldWidth {
  return ([16, 64, 32, 'natural'] as const)[(encoding >>> 13) & 3];
}

export function fieldType(encoding: number): FieldType {
  return (['control', 'read-only', 'guest', 'host'] as const)[(encoding >>> 10) & 3];
}
