; vmread_vmwrite.s - vmread and vmwrite in root operation (docs/vmx.md, "VMX
; operation" and "VMCS fields"): round trips of each field width, the high
; half of a 64-bit field at encoding + 1, VMfailValid(12) for an unsupported
; component, read-only fields (writable: IA32_VMX_MISC bit 29 is set),
; VMfailInvalid without a current VMCS, register and memory operands.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- no current VMCS
    mov ebx, VMCS_GUEST_RIP
    mov eax, 0x5555
    dirty_flags
    vmread eax, ebx
    check_vmfail_invalid "vmread without a current VMCS: VMfailInvalid"
    expect_eq eax, 0x5555, "the failed vmread left its destination alone"
    dirty_flags
    vmwrite ebx, eax
    check_vmfail_invalid "vmwrite without a current VMCS: VMfailInvalid"

    mov eax, VMCS1
    call vmcs_fresh

    ; ---- natural width
    mov ebx, VMCS_GUEST_RIP
    mov eax, 0x89abcdef
    dirty_flags
    vmwrite ebx, eax
    check_flags_vmsucceed "vmwrite of a natural-width field (GUEST_RIP) succeeds"
    mov ecx, 0
    dirty_flags
    vmread ecx, ebx
    check_flags_vmsucceed "vmread of a natural-width field succeeds"
    expect_eq ecx, 0x89abcdef, "GUEST_RIP reads back what was written"
    ; ---- 32-bit
    mov ebx, VMCS_EXCEPTION_BITMAP
    mov eax, 0xdeadbeef
    vmwrite ebx, eax
    vmread ecx, ebx
    expect_eq ecx, 0xdeadbeef, "a 32-bit field (EXCEPTION_BITMAP) reads back what was written"
    ; ---- 64-bit: full encoding, high half at encoding + 1
    mov ebx, VMCS_TSC_OFFSET + 1
    mov eax, 0x01234567
    dirty_flags
    vmwrite ebx, eax
    check_flags_vmsucceed "vmwrite of the high half of a 64-bit field (encoding + 1) succeeds"
    mov ebx, VMCS_TSC_OFFSET
    mov eax, 0xfedcba98
    vmwrite ebx, eax
    vmread ecx, ebx
    expect_eq ecx, 0xfedcba98, "the full encoding of a 64-bit field reads its low half"
    mov ebx, VMCS_TSC_OFFSET + 1
    vmread ecx, ebx
    expect_eq ecx, 0, "vmwrite of the full encoding in 32-bit operation cleared the high half (SDM)"
    mov eax, 0x76543210
    vmwrite ebx, eax
    vmread ecx, ebx
    expect_eq ecx, 0x76543210, "the high half reads back what was written"
    mov ebx, VMCS_TSC_OFFSET
    vmread ecx, ebx
    expect_eq ecx, 0xfedcba98, "writing the high half left the low half alone"
    mov ebx, VMCS_VMCS_LINK_POINTER
    mov eax, -1
    vmwrite ebx, eax
    inc ebx
    vmwrite ebx, eax
    vmread ecx, ebx
    expect_eq ecx, -1, "VMCS_LINK_POINTER high half holds all ones"

    ; ---- unsupported components: VMfailValid(12), destination unchanged
    mov ebx, 0x1234
    mov ecx, 0x4242
    dirty_flags
    vmread ecx, ebx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread of an encoding not in the table: VMfailValid(12)"
    expect_eq ecx, 0x4242, "the failed vmread left its destination alone"
    dirty_flags
    vmwrite ebx, ecx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmwrite of an encoding not in the table: VMfailValid(12)"
    mov ebx, VMCS_EXCEPTION_BITMAP + 1
    dirty_flags
    vmread ecx, ebx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread of encoding + 1 of a 32-bit field: VMfailValid(12)"
    mov ebx, VMCS_GUEST_RIP + 1
    dirty_flags
    vmwrite ebx, ecx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmwrite of encoding + 1 of a natural-width field: VMfailValid(12)"
    mov ebx, VMCS_GUEST_RIP + 0x10000
    dirty_flags
    vmread ecx, ebx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread with bits 31:15 of the encoding set: VMfailValid(12)"
    mov ebx, VMCS_GUEST_RIP
    vmread ecx, ebx
    expect_eq ecx, 0x89abcdef, "the failed vmwrites changed no field"
    mov ebx, VMCS_VM_INSTRUCTION_ERROR
    vmread ecx, ebx
    expect_eq ecx, VMERR_UNSUPPORTED_COMPONENT, "VMsucceed leaves VM_INSTRUCTION_ERROR alone (still 12 after successful vmreads)"

    ; ---- read-only fields
    mov ecx, MSR_IA32_VMX_MISC
    rdmsr
    expect_bits eax, MISC_VMWRITE_ANY_FIELD, MISC_VMWRITE_ANY_FIELD, "IA32_VMX_MISC bit 29 (VMWRITE to any field) is set"
    mov ebx, VMCS_VM_EXIT_REASON
    mov eax, 0x1234
    dirty_flags
    vmwrite ebx, eax
    check_flags_vmsucceed "with MISC bit 29, vmwrite of read-only VM_EXIT_REASON succeeds (no error 13)"
    vmread ecx, ebx
    expect_eq ecx, 0x1234, "VM_EXIT_REASON reads back what was written"
    mov ebx, VMCS_EXIT_QUALIFICATION
    mov eax, 0xcafe0000
    vmwrite ebx, eax
    check_flags_vmsucceed "vmwrite of read-only EXIT_QUALIFICATION succeeds"
    vmread ecx, ebx
    expect_eq ecx, 0xcafe0000, "EXIT_QUALIFICATION reads back what was written"
    mov ebx, VMCS_GUEST_PHYSICAL_ADDRESS
    mov eax, 0x3000
    vmwrite ebx, eax
    check_flags_vmsucceed "vmwrite of read-only 64-bit GUEST_PHYSICAL_ADDRESS succeeds"
    mov ebx, VMCS_VM_INSTRUCTION_ERROR
    mov eax, 99
    vmwrite ebx, eax
    vmread ecx, ebx
    expect_eq ecx, 99, "VM_INSTRUCTION_ERROR is writable too and reads back"

    ; ---- memory operands
    mov ebx, VMCS_GUEST_RSP
    mov dword [value], 0x0badf00d
    dirty_flags
    vmwrite ebx, [value]
    check_flags_vmsucceed "vmwrite r, [m] succeeds"
    mov dword [result], 0
    dirty_flags
    vmread [result], ebx
    check_flags_vmsucceed "vmread [m], r succeeds"
    expect_eq [result], 0x0badf00d, "vmread [m] stores what vmwrite [m] wrote"
    mov esi, table
    mov edi, 3
    mov dword [table + 12 + 8], 0x600d600d
    vmwrite ebx, [esi + edi*4 + 8]
    vmread [esi + edi*8 + 4], ebx
    expect_eq [table + 24 + 4], 0x600d600d, "memory operands with base + index*scale + disp"
    mov dword [result], 0x77777777
    mov ebx, 0x1234
    vmread [result], ebx
    check_vmfail_valid VMERR_UNSUPPORTED_COMPONENT, "vmread [m] of an unsupported component: VMfailValid(12)"
    expect_eq [result], 0x77777777, "the failed vmread [m] stored nothing"
    mov ebx, VMCS_GUEST_RSP
    mov eax, 0
    vmread eax, ebx
    expect_eq eax, 0x600d600d, "vmwrite r, [m] wrote the field (read back through a register)"
    done

align 8
value:  dd 0
result: dd 0
table:  times 16 dd 0
