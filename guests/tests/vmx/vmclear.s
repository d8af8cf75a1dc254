; vmclear.s - vmclear (docs/vmx.md, "VMX operation"): errors 2 (bad address)
; and 3 (the VMXON pointer); VMfailInvalid without a current VMCS; it clears
; the launch state, writes the data back, and if the VMCS was current there
; is none afterwards.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable
    mov eax, [vmcs_revision]
    mov [VMCS1 + 0x800], eax

    ; ---- no current VMCS
    dirty_flags
    vmclear [misaligned_ptr]
    check_vmfail_invalid "vmclear of a misaligned region without a current VMCS: VMfailInvalid"
    dirty_flags
    vmclear [vmxon_ptr]
    check_vmfail_invalid "vmclear of the VMXON region without a current VMCS: VMfailInvalid"

    ; ---- a running guest in VMCS1
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "the guest runs and exits with VMCALL"

    dirty_flags
    vmclear [misaligned_ptr]
    check_vmfail_valid VMERR_VMCLEAR_INVALID_ADDRESS, "vmclear of a region not 4 KiB-aligned: VMfailValid(2)"
    dirty_flags
    vmclear [not_in_ram_ptr]
    check_vmfail_valid VMERR_VMCLEAR_INVALID_ADDRESS, "vmclear of a region outside RAM: VMfailValid(2)"
    dirty_flags
    vmclear [vmxon_ptr]
    check_vmfail_valid VMERR_VMCLEAR_VMXON_POINTER, "vmclear of the VMXON region: VMfailValid(3)"
    vmptrst [scratch]
    expect_eq [scratch], VMCS1, "failed vmclears leave VMCS1 current"

    ; vmclear of the current VMCS
    mov ebx, VMCS_EXCEPTION_BITMAP
    mov eax, 0x00050004
    vmwrite ebx, eax
    dirty_flags
    vmclear [vmcs1_ptr]
    check_flags_vmsucceed "vmclear of the current VMCS succeeds"
    vmptrst [scratch]
    expect_eq [scratch], -1, "after vmclear of the current VMCS there is none (vmptrst stores all ones)"
    dirty_flags
    vmread eax, ebx
    check_vmfail_invalid "vmread after vmclear of the current VMCS: VMfailInvalid"
    dirty_flags
    vmresume
    check_vmfail_invalid "vmresume after vmclear of the current VMCS: VMfailInvalid"

    vmptrld [vmcs1_ptr]
    check_flags_vmsucceed "vmptrld of the cleared VMCS succeeds"
    mov eax, 0
    vmread eax, ebx
    expect_eq eax, 0x00050004, "vmclear wrote the VMCS data back (EXCEPTION_BITMAP kept)"
    dirty_flags
    vmresume
    check_vmfail_valid VMERR_VMRESUME_NONLAUNCHED, "vmclear cleared the launch state: vmresume fails with VMfailValid(5)"
    vmw VMCS_EXCEPTION_BITMAP, 0
    call guest_launch
    expect_eq eax, EXIT_REASON_VMCALL, "vmlaunch of the cleared VMCS runs the guest"

    ; ---- vmclear of a VMCS that is not current
    mov eax, VMCS2
    mov ebx, guest
    call guest_setup
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "a guest in VMCS2 runs too"
    vmptrld [vmcs1_ptr]
    dirty_flags
    vmclear [vmcs2_ptr]
    check_flags_vmsucceed "vmclear of a launched VMCS that is not current succeeds"
    vmptrst [scratch]
    expect_eq [scratch], VMCS1, "vmclear of another VMCS leaves the current one current"
    call guest_resume
    expect_eq eax, EXIT_REASON_VMCALL, "VMCS1 is still launched: vmresume runs its guest"
    vmptrld [vmcs2_ptr]
    dirty_flags
    vmresume
    check_vmfail_valid VMERR_VMRESUME_NONLAUNCHED, "VMCS2 was cleared while not current: vmresume fails with VMfailValid(5)"
    done

guest:
    vmcall
    jmp guest

align 8
vmxon_ptr:      dd VMXON_REGION, 0
vmcs1_ptr:      dd VMCS1, 0
vmcs2_ptr:      dd VMCS2, 0
misaligned_ptr: dd VMCS1 + 0x800, 0
not_in_ram_ptr: dd NOT_IN_RAM, 0
scratch:        dd 0, 0
