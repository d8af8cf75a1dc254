; launch_state.s - vmlaunch needs a clear VMCS (error 4), vmresume a launched
; one (error 5); both fail with VMfailInvalid without a current VMCS; a
; launched VMCS keeps its launch state while another VMCS is current.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    dirty_flags
    vmlaunch
    check_vmfail_invalid "vmlaunch without a current VMCS: VMfailInvalid"
    dirty_flags
    vmresume
    check_vmfail_invalid "vmresume without a current VMCS: VMfailInvalid"

    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    call guest_resume
    expect_eq eax, -1, "vmresume of a clear VMCS does not enter the guest"
    push dword [entry_flags]
    popf
    check_vmfail_valid VMERR_VMRESUME_NONLAUNCHED, "vmresume of a clear VMCS: VMfailValid(5)"

    call guest_launch
    expect_eq eax, EXIT_REASON_VMCALL, "vmlaunch of the clear VMCS runs the guest to its vmcall"
    expect_eq [guest_regs + 4*REG_EBX], 1, "the guest ran its first instruction once"
    call guest_launch
    expect_eq eax, -1, "vmlaunch of a launched VMCS does not enter the guest"
    push dword [entry_flags]
    popf
    check_vmfail_valid VMERR_VMLAUNCH_NONCLEAR, "vmlaunch of a launched VMCS: VMfailValid(4)"

    call guest_skip
    call guest_resume
    expect_eq eax, EXIT_REASON_VMCALL, "vmresume of the launched VMCS continues the guest"
    expect_eq [guest_regs + 4*REG_EBX], 2, "the guest continued after its first vmcall"
    call guest_skip
    call guest_resume
    expect_eq [guest_regs + 4*REG_EBX], 3, "a second vmresume continues it again"

    ; the launch state belongs to the VMCS
    mov eax, VMCS2
    mov ebx, guest
    call guest_setup
    call guest_resume
    push dword [entry_flags]
    popf
    check_vmfail_valid VMERR_VMRESUME_NONLAUNCHED, "a second, clear VMCS: vmresume fails with VMfailValid(5)"
    call guest_launch
    expect_eq eax, EXIT_REASON_VMCALL, "vmlaunch of the second VMCS works"
    vmptrld [vmcs1_ptr]
    call guest_resume
    expect_eq eax, EXIT_REASON_VMCALL, "back on the first VMCS, vmresume works (it stayed launched)"
    call guest_launch
    push dword [entry_flags]
    popf
    check_vmfail_valid VMERR_VMLAUNCH_NONCLEAR, "and vmlaunch of it still fails with VMfailValid(4)"

    ; launch state survives vmclear write-back + vmptrld only as clear
    vmclear [vmcs1_ptr]
    vmptrld [vmcs1_ptr]
    call guest_launch
    expect_eq eax, EXIT_REASON_VMCALL, "after vmclear, vmlaunch works again"
    done

guest:
    inc ebx
    vmcall
    inc ebx
    vmcall
    inc ebx
    vmcall
    jmp guest

align 8
vmcs1_ptr: dd VMCS1, 0
