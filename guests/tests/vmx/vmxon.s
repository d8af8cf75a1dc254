; vmxon.s - vmxon in VMX root operation and vmxoff (docs/vmx.md, "VMX
; operation"): vmxon in root fails with VMfailInvalid without a current VMCS
; and VMfailValid(15) with one; vmxoff leaves VMX operation; vmcall in root
; fails with VMfailValid(1).

%include "lib.inc"

_start:
    call test_init
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [VMXON_REGION], eax
    mov [VMCS1], eax

    dirty_flags
    vmxon [vmxon_ptr]
    check_flags_vmsucceed "vmxon succeeds"
    dirty_flags
    vmxon [vmxon_ptr]
    check_vmfail_invalid "vmxon in VMX root operation without a current VMCS: VMfailInvalid"
    dirty_flags
    vmcall
    check_vmfail_invalid "vmcall in root without a current VMCS: VMfailInvalid"

    vmclear [vmcs_ptr]
    vmptrld [vmcs_ptr]
    check_flags_vmsucceed "vmptrld of a fresh VMCS succeeds"
    dirty_flags
    vmxon [vmxon_ptr]
    check_vmfail_valid VMERR_VMXON_IN_ROOT, "vmxon in VMX root operation with a current VMCS: VMfailValid(15)"
    vmptrst [scratch]
    expect_eq [scratch], VMCS1, "the failed vmxon leaves the current VMCS current"
    mov ebx, VMCS_VM_INSTRUCTION_ERROR
    mov eax, 0x77
    vmwrite ebx, eax            ; read-only, but IA32_VMX_MISC bit 29 lets it be written
    dirty_flags
    vmxon [vmxon_other_ptr]
    check_vmfail_valid VMERR_VMXON_IN_ROOT, "vmxon in root naming another region also fails with VMfailValid(15)"
    dirty_flags
    vmcall
    check_vmfail_valid VMERR_VMCALL_IN_ROOT, "vmcall in root with a current VMCS: VMfailValid(1)"

    ; vmxoff leaves VMX operation; VMCS data written back by vmclear survives
    ; (the doc promises write-back on vmclear and vmptrld, not on vmxoff)
    mov ebx, VMCS_GUEST_RIP
    mov eax, 0xabcd1234
    vmwrite ebx, eax
    vmclear [vmcs_ptr]
    vmptrld [vmcs_ptr]
    dirty_flags
    vmxoff
    check_flags_vmsucceed "vmxoff with a current VMCS succeeds"
    expect_exception 6, {vmptrst [scratch]}, "after vmxoff VMX instructions raise #UD"

    dirty_flags
    vmxon [vmxon_ptr]
    check_flags_vmsucceed "vmxon after vmxoff succeeds"
    mov dword [scratch], 0
    vmptrst [scratch]
    check_flags_vmsucceed "vmptrst succeeds"
    expect_eq [scratch], -1, "after vmxoff and vmxon there is no current VMCS (vmptrst stores all ones)"
    mov ebx, VMCS_GUEST_RIP
    dirty_flags
    vmread eax, ebx
    check_vmfail_invalid "vmread without a current VMCS: VMfailInvalid"
    vmptrld [vmcs_ptr]
    check_flags_vmsucceed "vmptrld of the old VMCS again succeeds"
    mov eax, 0
    vmread eax, ebx
    expect_eq eax, 0xabcd1234, "the VMCS (vmcleared) kept its GUEST_RIP across vmxoff and vmxon"
    mov ebx, VMCS_VM_INSTRUCTION_ERROR
    vmread eax, ebx
    expect_eq eax, VMERR_VMCALL_IN_ROOT, "the VMCS (vmcleared) kept its VM_INSTRUCTION_ERROR across vmxoff and vmxon"

    vmxoff
    mov eax, [VMXON_REGION]
    mov [VMCS2], eax
    dirty_flags
    vmxon [vmxon_other_ptr]
    check_flags_vmsucceed "vmxon with a different region succeeds"
    vmptrld [vmxon_ptr]
    check_flags_vmsucceed "the old VMXON region can now be loaded as a VMCS"
    vmptrld [vmxon_other_ptr]
    check_vmfail_valid VMERR_VMPTRLD_VMXON_POINTER, "vmptrld of the new VMXON region: VMfailValid(10)"
    done

align 8
vmxon_ptr:       dd VMXON_REGION, 0
vmxon_other_ptr: dd VMCS2, 0
vmcs_ptr:        dd VMCS1, 0
scratch:         dd 0, 0
