; nested-vmx.s - what a guest hypervisor sees of the VMX L0 emulates.
;
; Run as the L1 image at depth 2 (loadProgram(l0, [this, anything],
; {depth: 2})): every VMX instruction here traps to L0, which emulates it
; on a vmcs12 in this program's memory. The checks are those of the VMX
; conformance suite (guests/tests/vmx/lib.inc, whose TAP output and check
; macros this program uses; its memory map needs 4 MiB of this program's
; memory): the VMfail paths with their flags and error numbers, as
; docs/vmx.md states them, and one round trip into a guest of our own (L2)
; and back. Bare (depth 0) the same checks hold but for what only L0 shows:
; the hypervisor bit, its revision identifier, no VMCS shadowing (checks 1,
; 3, 4 and 27).
;
; Expected at depth 2: every check "ok", exit status 0.

%include "lib.inc"
%include "bootinfo.inc"

NESTED_REVISION   equ 0x4c300001    ; L0's vmcs12 revision (guests/l0/nested.inc)
UNSUPPORTED_FIELD equ 0x6c40        ; natural-width host state, index 32: no such field
X86_FEATURE_VMX   equ 1 << 5
X86_FEATURE_HYPERVISOR equ 1 << 31
BAD_REVISION_VMCS equ SCRATCH       ; a region whose revision is not L0's

_start:
    mov [bootinfo], ebx
    call test_init

    ; ---- what L0 shows: VMX, its revision, its controls
    mov eax, 1
    xor ecx, ecx
    cpuid
    expect_bits ecx, X86_FEATURE_VMX | X86_FEATURE_HYPERVISOR, X86_FEATURE_VMX | X86_FEATURE_HYPERVISOR, "CPUID.1:ECX: VMX and the hypervisor bit"
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    expect_eq edx, VMCS_REGION_SIZE, "IA32_VMX_BASIC: 4 KiB regions"
    expect_eq eax, NESTED_REVISION, "IA32_VMX_BASIC: L0's vmcs12 revision"
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    rdmsr
    expect_eq edx, PROC2_ENABLE_EPT, "IA32_VMX_PROCBASED_CTLS2: EPT, no VMCS shadowing for L1"
    mov ecx, MSR_IA32_VMX_MISC
    rdmsr
    expect_bits eax, MISC_VMWRITE_ANY_FIELD, MISC_VMWRITE_ANY_FIELD, "IA32_VMX_MISC: VMWRITE to any field"

    ; ---- outside VMX operation
    expect_exception 6, {vmptrld [vmcs1_ptr]}, "vmptrld before vmxon raises #UD"
    mov ecx, VMCS_GUEST_RIP
    expect_exception 6, {vmread eax, ecx}, "vmread before vmxon raises #UD"
    mov eax, [vmcs_revision_guess]
    mov [VMXON_REGION], eax
    dirty_flags
    vmxon [vmxon_pointer]
    check_vmfail_invalid "vmxon with a wrong revision: VMfailInvalid"
    call vmx_enable
    dirty_flags
    vmxon [vmxon_pointer]
    check_vmfail_invalid "vmxon in VMX operation without a current VMCS: VMfailInvalid"

    ; ---- vmptrld with a bad revision
    mov eax, [vmcs_revision]
    mov [VMCS1], eax
    xor eax, 0x0f0f
    mov [BAD_REVISION_VMCS], eax
    dirty_flags
    vmptrld [bad_revision_ptr]
    check_vmfail_invalid "vmptrld with a bad revision, no current VMCS: VMfailInvalid"
    vmclear [vmcs1_ptr]
    dirty_flags
    vmptrld [vmcs1_ptr]
    check_flags_vmsucceed "vmptrld of a good vmcs12 succeeds"
    mov dword [scratch], 0
    vmptrst [scratch]
    expect_eq [scratch], VMCS1, "vmptrst stores it"
    dirty_flags
    vmptrld [bad_revision_ptr]
    check_vmfail_valid VMERR_VMPTRLD_INCORRECT_REVISION, "vmptrld with a bad revision: VMfailValid(11)"
    dirty_flags
    vmptrld [vmxon_pointer]
    check_vmfail_valid VMERR_VMPTRLD_VMXON_POINTER, "vmptrld of the VMXON region: VMfailValid(10)"
    ; the first page past this program's memory (its RAM_SIZE)
    mov eax, [bootinfo]
    mov eax, [eax + BOOTINFO_RAM_SIZE]
    mov [outside_ptr], eax
    dirty_flags
    vmptrld [outside_ptr]
    check_vmfail_valid VMERR_VMPTRLD_INVALID_ADDRESS, "vmptrld of a region outside memory: VMfailValid(9)"
    dirty_flags
    vmxon [vmxon_pointer]
    check_vmfail_valid VMERR_VMXON_IN_ROOT, "vmxon in VMX operation: VMfailValid(15)"

    ; ---- vmresume on a clear VMCS, vmlaunch on a launched one
    dirty_flags
    vmresume
    check_vmfail_valid VMERR_VMRESUME_NONLAUNCHED, "vmresume on a clear VMCS: VMfailValid(5)"

    ; ---- vmread and vmwrite
    mov ecx, UNSUPPORTED_FIELD
    dirty_flags
    vmread eax, ecx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread of an unsupported field: VMfailValid(12)"
    dirty_flags
    vmwrite ecx, eax
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmwrite of an unsupported field: VMfailValid(12)"
    mov ecx, VMCS_EXCEPTION_BITMAP + 1
    dirty_flags
    vmread eax, ecx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread of the high half of a 32-bit field: VMfailValid(12)"
    mov ecx, 0x10000 + VMCS_GUEST_RIP
    dirty_flags
    vmread eax, ecx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread of an encoding above 0x7fff: VMfailValid(12)"
    mov ecx, VMCS_VM_EXIT_REASON
    mov eax, 0x1234
    dirty_flags
    vmwrite ecx, eax
    check_flags_vmsucceed "vmwrite of a read-only field succeeds (VMWRITE to any field)"
    expect_field VMCS_VM_EXIT_REASON, 0x1234, "and reads back"
    ; memory operands: base + index*scale + displacement
    mov esi, scratch - 8
    mov edi, 2
    mov dword [scratch], 0x5678
    mov ecx, VMCS_GUEST_RSP
    vmwrite ecx, [esi + edi*4]
    check_flags_vmsucceed "vmwrite r, [base + index*4 + disp] succeeds"
    mov dword [scratch + 4], 0
    vmread [esi + edi*4 + 4], ecx
    expect_eq [scratch + 4], 0x5678, "vmread [base + index*4 + disp], r stores the field"
    ; 64-bit fields: the full encoding clears the high half
    mov ecx, VMCS_TSC_OFFSET + 1
    mov eax, 0xaaaa
    vmwrite ecx, eax
    mov ecx, VMCS_TSC_OFFSET
    mov eax, 0xbbbb
    vmwrite ecx, eax
    expect_field VMCS_TSC_OFFSET + 1, 0, "a write of a 64-bit field's full encoding clears its high half"

    ; ---- entry checks: controls, host state, guest state
    mov eax, VMCS2
    mov ebx, l2_guest
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_VMCS_SHADOWING
    call guest_launch
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "vmlaunch with a control L0 does not offer (shadowing): VMfailValid(7)"
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, 0
    mov eax, VMCS3
    call vmcs_fresh             ; nothing written: no host state
    dirty_flags
    vmlaunch
    check_vmfail_valid VMERR_ENTRY_INVALID_HOST_STATE, "vmlaunch without HOST_RIP and HOST_RSP: VMfailValid(8)"
    mov eax, VMCS2
    mov ebx, l2_guest
    call guest_setup
    vmw VMCS_GUEST_RFLAGS, 0    ; bit 1 clear
    call guest_launch
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "vmlaunch with GUEST_RFLAGS bit 1 clear: failed entry, reason 33 | bit 31"
    expect_eq [entry_flags], 0, "which lands at HOST_RIP as an exit does"
    expect_eq [exit_host_eflags], 2, "with eflags 2"

    ; ---- one round trip into L2: cpuid exits with its information
    vmw VMCS_GUEST_RFLAGS, 2
    mov dword [guest_regs + 4*REG_EBX], 0x600d
    call guest_launch
    expect_exit EXIT_REASON_CPUID, l2_guest.cpuid, "L2's cpuid exits to us with reason CPUID at the cpuid"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "VM_EXIT_INSTRUCTION_LEN 4"
    expect_eq [guest_regs + 4*REG_EDI], 0x600d, "L2's registers arrive as L2 left them (edi = its ebx)"
    call guest_skip
    dirty_flags
    call guest_launch
    check_entry_vmfail_valid VMERR_VMLAUNCH_NONCLEAR, "vmlaunch on a launched VMCS: VMfailValid(4)"
    call guest_resume
    expect_exit EXIT_REASON_VMCALL, l2_guest.vmcall, "vmresume runs L2 on to its vmcall"
    expect_eq [guest_regs + 4*REG_ESI], 0x600e, "L2 ran the instruction after the cpuid"

    ; ---- vmclear and invept
    dirty_flags
    vmclear [vmxon_pointer]
    check_vmfail_valid VMERR_VMCLEAR_VMXON_POINTER, "vmclear of the VMXON region: VMfailValid(3)"
    dirty_flags
    vmclear [misaligned_ptr]
    check_vmfail_valid VMERR_VMCLEAR_INVALID_ADDRESS, "vmclear of a misaligned region: VMfailValid(2)"
    mov eax, 3
    dirty_flags
    invept eax, [invept_descriptor]
    check_vmfail_valid VMERR_INVALID_INVEPT_OPERAND, "invept of type 3: VMfailValid(28)"
    mov eax, EPT_INVEPT_ALL_CONTEXT
    dirty_flags
    invept eax, [invept_descriptor]
    check_flags_vmsucceed "invept of all contexts succeeds"
    dirty_flags
    vmclear [vmcs2_ptr]
    check_flags_vmsucceed "vmclear of the current VMCS succeeds"
    vmptrst [scratch]
    expect_eq [scratch], -1, "and leaves no current VMCS"
    mov ecx, VMCS_GUEST_RIP
    dirty_flags
    vmread eax, ecx
    check_vmfail_invalid "vmread without a current VMCS: VMfailInvalid"
    dirty_flags
    vmresume
    check_vmfail_invalid "vmresume without a current VMCS: VMfailInvalid"
    dirty_flags
    vmptrld [bad_revision_ptr]
    check_vmfail_invalid "vmptrld with a bad revision, no current VMCS again: VMfailInvalid"
    dirty_flags
    vmxoff
    check_flags_vmsucceed "vmxoff succeeds"
    mov ecx, VMCS_GUEST_RIP
    expect_exception 6, {vmread eax, ecx}, "vmread after vmxoff raises #UD"
    done

; L2: cpuid, then vmcall.
l2_guest:
    mov edi, ebx
.cpuid:
    cpuid
    mov esi, 0x600e
.vmcall:
    vmcall
    hlt

align 8
vmcs_revision_guess: dd 0x12345678
bootinfo:         dd 0
vmcs1_ptr:        dd VMCS1, 0
vmcs2_ptr:        dd VMCS2, 0
bad_revision_ptr:        dd BAD_REVISION_VMCS, 0
misaligned_ptr:   dd VMCS1 + 0x10, 0
outside_ptr:      dd 0, 0
invept_descriptor: dd 0, 0, 0, 0
scratch:          dd 0, 0, 0, 0
