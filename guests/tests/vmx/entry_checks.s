; entry_checks.s - the VM-entry checks of docs/vmx.md, in their order:
; controls (VMfailValid(7)), host state (VMfailValid(8)), guest state (a
; failed entry: exit reason 33 with bit 31 set, host state loaded).

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- the minimal VMCS passes
    call fresh
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "a VMCS with GUEST_RIP/RSP/RFLAGS, HOST_RIP/RSP and zero controls enters the guest"
    expect_eq [guest_counter], 1, "the guest ran"

    ; ---- controls: error 7
    call fresh
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    call bad_bit
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, eax
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "a pin-based control outside its allowed-1 settings: VMfailValid(7)"
    expect_eq [guest_counter], 0, "the guest did not run"

    call fresh
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    call bad_bit
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, eax
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "a primary processor-based control outside its allowed-1 settings: VMfailValid(7)"

    call fresh
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    call bad_bit
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, eax
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "a secondary control outside its allowed-1 settings: VMfailValid(7)"

    call fresh
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    call bad_bit
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, eax
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "the same secondary controls without 'activate secondary controls' are ignored (SDM 26.2.1.1)"

    call fresh
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    call bad_bit
    vmw VMCS_VM_EXIT_CONTROLS, eax
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "a VM-exit control outside its allowed-1 settings: VMfailValid(7)"

    call fresh
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    call bad_bit
    vmw VMCS_VM_ENTRY_CONTROLS, eax
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "a VM-entry control outside its allowed-1 settings: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_USE_IO_BITMAPS
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE + 0x10
    vmw VMCS_IO_BITMAP_B, IO_BITMAP_B_PAGE
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "use I/O bitmaps with a misaligned I/O bitmap A: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_USE_IO_BITMAPS
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE
    vmw VMCS_IO_BITMAP_B, NOT_IN_RAM
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "use I/O bitmaps with I/O bitmap B outside RAM: VMfailValid(7)"

    call fresh
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE + 0x10
    vmw VMCS_IO_BITMAP_B, NOT_IN_RAM
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "bad I/O bitmap addresses are not checked without 'use I/O bitmaps'"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_USE_MSR_BITMAPS
    vmw VMCS_MSR_BITMAP, MSR_BITMAP_PAGE + 0x800
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "use MSR bitmaps with a misaligned MSR bitmap: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT
    vmw VMCS_EPT_POINTER, EPT_DIRECTORY | EPT_EPTP_WALK_LENGTH_2   ; memory type 0 (uncacheable)
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "EPT with an EPTP memory type other than write-back: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT
    vmw VMCS_EPT_POINTER, EPT_DIRECTORY | (3 << 3) | EPT_EPTP_WRITE_BACK    ; a 4-level walk
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "EPT with an EPTP walk length other than two levels: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT
    vmw VMCS_EPT_POINTER, NOT_IN_RAM | EPT_EPTP_WALK_LENGTH_2 | EPT_EPTP_WRITE_BACK
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "EPT with the EPT directory outside RAM: VMfailValid(7)"

    call fresh
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_VMCS_SHADOWING
    vmw VMCS_VMREAD_BITMAP, VMREAD_BITMAP_PAGE + 4
    vmw VMCS_VMWRITE_BITMAP, VMWRITE_BITMAP_PAGE
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "VMCS shadowing with a misaligned VMREAD bitmap: VMfailValid(7)"

    call fresh
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | (1 << 8) | 0x30    ; type 1 is reserved
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "an injected event of a reserved type: VMfailValid(7)"

    ; ---- host state: error 8 (a VMCS never written: nothing but what is set here)
    mov eax, VMCS2
    call vmcs_fresh
    call write_guest_state
    vmw VMCS_HOST_RSP, esp
    vmlaunch
    check_vmfail_valid VMERR_ENTRY_INVALID_HOST_STATE, "HOST_RIP never written: VMfailValid(8)"

    mov eax, VMCS3
    call vmcs_fresh
    call write_guest_state
    vmw VMCS_HOST_RIP, bail_host_rip
    vmlaunch
    check_vmfail_valid VMERR_ENTRY_INVALID_HOST_STATE, "HOST_RSP never written: VMfailValid(8)"

    ; ---- the order of the checks
    mov eax, VMCS2
    call vmcs_fresh
    call write_guest_state
    vmw VMCS_HOST_RSP, esp
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x80000000
    vmlaunch
    check_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "bad controls and no HOST_RIP: the controls are checked first (7)"

    mov eax, VMCS2
    call vmcs_fresh
    call write_guest_state
    vmw VMCS_HOST_RSP, esp
    vmw VMCS_GUEST_RFLAGS, 0
    vmlaunch
    check_vmfail_valid VMERR_ENTRY_INVALID_HOST_STATE, "no HOST_RIP and bad guest RFLAGS: host state before guest state (8)"

    call fresh
    vmw VMCS_GUEST_RFLAGS, 0
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x80000000
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "bad controls and bad guest RFLAGS: VMfailValid(7), not a failed entry"

    ; ---- guest state: a failed VM entry, exit reason 33 | bit 31
    call fresh
    vmw VMCS_GUEST_RFLAGS, 0
    mov dword [exit_host_eflags], -1
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "GUEST_RFLAGS without bit 1: exit reason 33 with bit 31 set"
    expect_eq [guest_counter], 0, "the guest did not run"
    expect_eq [exit_host_eflags], 2, "the failed entry loaded host state: eflags = 2 at HOST_RIP"
    expect_eq [exit_host_esp], [guest_run_esp], "the failed entry loaded host state: esp = HOST_RSP"

    call fresh
    vmw VMCS_GUEST_RFLAGS, 0x0a        ; bit 3 is reserved
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "GUEST_RFLAGS with a reserved bit (3) set: exit reason 33 | bit 31"

    call fresh
    vmw VMCS_GUEST_RFLAGS, 0x8002      ; bit 15 is reserved
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "GUEST_RFLAGS with a reserved bit (15) set: exit reason 33 | bit 31"

    mov eax, VMCS2
    call vmcs_fresh
    call write_guest_state_no_rip
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "GUEST_RIP never written: exit reason 33 | bit 31"

    call fresh
    vmw VMCS_GUEST_ACTIVITY_STATE, 2   ; shutdown: not supported
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "activity state 2: exit reason 33 | bit 31"

    call fresh
    vmw VMCS_VMCS_LINK_POINTER, SHADOW_VMCS
    vmw VMCS_VMCS_LINK_POINTER + 1, 0
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "VMCS_LINK_POINTER not all ones without shadowing: exit reason 33 | bit 31"

    call fresh
    vmw VMCS_VMCS_LINK_POINTER + 1, 0
    call guest_run
    expect_eq eax, EXIT_REASON_INVALID_STATE | 0x80000000, "VMCS_LINK_POINTER with a high half of zero: exit reason 33 | bit 31"
    expect_eq [guest_counter], 0, "the guest never ran in any failed entry"

    ; ---- activity state 1 (HLT) is valid: the guest starts halted
    call fresh
    vmw VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT
    vmw VMCS_GUEST_RFLAGS, 0x202
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_ACK_INTERRUPT_ON_EXIT
    call timer_one_shot
    call guest_run
    expect_eq eax, EXIT_REASON_EXTERNAL_INTERRUPT, "a guest entered in the HLT activity state waits for the interrupt"
    expect_eq [guest_counter], 0, "the guest entered halted did not execute"
    vmr eax, VMCS_GUEST_RIP
    expect_eq eax, guest, "its GUEST_RIP is still its entry point"
    done

; ---- helpers ------------------------------------------------------------------------

fresh:                          ; VMCS1 with the minimal guest
    push eax
    push ebx
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    mov dword [guest_counter], 0
    pop ebx
    pop eax
    ret

bad_bit:                        ; ecx = control MSR: eax = its lowest bit not allowed to be 1
    push edx
    rdmsr
    not edx
    mov eax, edx
    neg eax
    and eax, edx
    pop edx
    ret

write_guest_state:              ; guest state and link pointer; no host state
    vmw VMCS_GUEST_RIP, guest
write_guest_state_no_rip:
    vmw VMCS_GUEST_RSP, GUEST_STACK_TOP
    vmw VMCS_GUEST_RFLAGS, 2
    vmw VMCS_VMCS_LINK_POINTER, -1
    vmw VMCS_VMCS_LINK_POINTER + 1, -1
    mov dword [guest_counter], 0
    ret

timer_one_shot:                 ; vector 0x20 in 3000 cycles
    push eax
    mov eax, 3000
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_VECTOR
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
    pop eax
    ret

bail_host_rip:
    fail "a VM entry without HOST_RSP was refused (it exited to HOST_RIP instead)"
    done

guest:
    inc dword [guest_counter]
    vmcall
    jmp guest

align 8
guest_counter: dd 0
