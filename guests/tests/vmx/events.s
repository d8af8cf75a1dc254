; events.s - exits caused by events rather than instructions (docs/vmx.md,
; "What exits"): EXCEPTION_NMI through EXCEPTION_BITMAP, TRIPLE_FAULT,
; PREEMPTION_TIMER (and "save preemption timer"), INTERRUPT_WINDOW and
; EXTERNAL_INTERRUPT from the timer, with and without "acknowledge interrupt
; on exit", regardless of the guest's IF.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- exceptions
    mov ebx, g_ud
    call setup
    vmw VMCS_EXCEPTION_BITMAP, 1 << 6
    call guest_run
    expect_exit EXIT_REASON_EXCEPTION_NMI, g_ud.ud2, "#UD with bit 6 in EXCEPTION_BITMAP exits with EXCEPTION_NMI (0) at the faulting instruction"
    expect_field VMCS_VM_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 6, "VM_EXIT_INTR_INFO: valid, hardware exception, vector 6"
    expect_eq [g_seen_vector], -1, "the guest's handler did not run"

    mov ebx, g_de
    call setup
    vmw VMCS_EXCEPTION_BITMAP, 1 << 0
    call guest_run
    expect_exit EXIT_REASON_EXCEPTION_NMI, g_de.div, "#DE with bit 0 in EXCEPTION_BITMAP exits at the div"
    expect_field VMCS_VM_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 0, "VM_EXIT_INTR_INFO: valid, hardware exception, vector 0"

    mov ebx, g_ud
    call setup
    vmw VMCS_EXCEPTION_BITMAP, ~(1 << 6)
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "#UD with its bit clear goes to the guest's own handler (which then vmcalls)"
    expect_eq [g_seen_vector], 6, "the guest's handler saw vector 6"
    expect_eq [g_seen_eip], g_ud.ud2, "the guest's handler saw the faulting eip"

    ; ---- triple fault: an exception the guest cannot take
    mov ebx, g_ud
    call setup
    vmw VMCS_GUEST_IDTR_LIMIT, 0
    call guest_run
    expect_eq eax, EXIT_REASON_TRIPLE_FAULT, "#UD in a guest with an empty interrupt table exits with TRIPLE_FAULT (2)"

    ; ---- preemption timer
    mov ebx, g_spin
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 100
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_SAVE_PREEMPTION_TIMER
    call guest_run
    expect_eq eax, EXIT_REASON_PREEMPTION_TIMER, "the preemption timer counts down to zero: exit PREEMPTION_TIMER (52)"
    expect_ne [guest_regs + 4*REG_ECX], 0, "the guest ran until then"
    expect_field VMCS_VMX_PREEMPTION_TIMER_VALUE, 0, "with 'save preemption timer', the saved value is 0"
    mov eax, [guest_regs + 4*REG_ECX]
    mov [spins_100], eax

    mov ebx, g_spin
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 200
    call guest_run
    expect_eq eax, EXIT_REASON_PREEMPTION_TIMER, "again with 200: PREEMPTION_TIMER"
    mov eax, [spins_100]
    shl eax, 1
    sub eax, [guest_regs + 4*REG_ECX]
    add eax, 64
    expect_bits eax, 0xffffff80, 0, "twice the timer value, twice the guest loop iterations (within 64)"

    mov ebx, g_spin
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 0
    call guest_run
    expect_exit EXIT_REASON_PREEMPTION_TIMER, g_spin, "timer value 0: the guest exits before its first instruction"
    expect_eq [guest_regs + 4*REG_ECX], 0, "and ran nothing"

    mov ebx, g_spin_then_vmcall    ; about 90000 cycles: some 2800 timer ticks
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000000
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_SAVE_PREEMPTION_TIMER
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "with a long timer, the guest's vmcall exits first"
    vmr eax, VMCS_VMX_PREEMPTION_TIMER_VALUE
    expect_bits eax, 0x80000000, 0, "'save preemption timer' saved a value at the VMCALL exit: not negative"
    neg eax
    add eax, 1000000
    expect_bits eax, 0xffff8000, 0, "the saved value is below 1000000 by no more than 0x7fff ticks"
    expect_ne eax, 0, "and it did count down"
    mov ebx, g_spin_then_vmcall
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000000
    call guest_run
    expect_field VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000000, "without 'save preemption timer' the field is left alone"

    ; ---- interrupt window
    mov ebx, g_window
    call setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_INTERRUPT_WINDOW_EXITING
    vmw VMCS_GUEST_RFLAGS, 0x202
    call guest_run
    expect_exit EXIT_REASON_INTERRUPT_WINDOW, g_window, "interrupt-window exiting with guest IF set: exit INTERRUPT_WINDOW (7) before the first instruction"
    mov ebx, g_window
    call setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_INTERRUPT_WINDOW_EXITING
    call guest_run
    expect_exit EXIT_REASON_INTERRUPT_WINDOW, g_window.after_shadow, "with IF clear: the exit comes after sti and the one instruction of its shadow"
    mov ebx, g_window
    call setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_INTERRUPT_WINDOW_EXITING
    vmw VMCS_GUEST_INTERRUPTIBILITY_INFO, GUEST_INTERRUPTIBILITY_STI
    vmw VMCS_GUEST_RFLAGS, 0x202
    call guest_run
    expect_exit EXIT_REASON_INTERRUPT_WINDOW, g_window.first_done, "IF set but blocking by sti at entry: the exit comes after one instruction"

    mov ebx, g_popf
    call setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_INTERRUPT_WINDOW_EXITING
    call guest_run
    expect_exit EXIT_REASON_INTERRUPT_WINDOW, g_popf.after, "popf setting IF opens the window at once (no shadow): exit right after the popf"
    mov ebx, g_iret
    call setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_INTERRUPT_WINDOW_EXITING
    call guest_run
    expect_exit EXIT_REASON_INTERRUPT_WINDOW, g_iret.target, "iret restoring IF opens the window: exit at the iret's target"

    ; ---- external interrupts
    mov ebx, g_spin
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING
    call timer_one_shot
    call guest_run
    expect_eq eax, EXIT_REASON_EXTERNAL_INTERRUPT, "the timer interrupt with external-interrupt exiting and guest IF clear: exit EXTERNAL_INTERRUPT (1)"
    expect_field_bits VMCS_VM_EXIT_INTR_INFO, INTR_INFO_VALID, 0, "without 'acknowledge interrupt on exit', VM_EXIT_INTR_INFO is not valid"
    mov eax, [vector_counts + 4*TIMER_VECTOR]
    sti
    nop
    nop
    cli
    sub eax, [vector_counts + 4*TIMER_VECTOR]
    expect_eq eax, -1, "the interrupt stayed pending and reached the host's table after sti"

    mov ebx, g_spin
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_ACK_INTERRUPT_ON_EXIT
    vmw VMCS_GUEST_RFLAGS, 0x202
    call timer_one_shot
    call guest_run
    expect_eq eax, EXIT_REASON_EXTERNAL_INTERRUPT, "with 'acknowledge interrupt on exit' (guest IF set): exit EXTERNAL_INTERRUPT"
    expect_field VMCS_VM_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | TIMER_VECTOR, "VM_EXIT_INTR_INFO: valid, external interrupt, vector 0x20"
    expect_eq [g_seen_vector], -1, "the guest's handler did not run"
    mov eax, [vector_counts + 4*TIMER_VECTOR]
    sti
    nop
    nop
    cli
    sub eax, [vector_counts + 4*TIMER_VECTOR]
    expect_eq eax, 0, "the acknowledged interrupt is no longer pending"

    mov ebx, g_spin
    call setup
    vmw VMCS_GUEST_RFLAGS, 0x202
    call timer_one_shot
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "without external-interrupt exiting, the interrupt goes to the guest's handler (guest IF set)"
    expect_eq [g_seen_vector], TIMER_VECTOR, "the guest's handler saw vector 0x20"

    mov ebx, g_spin_then_vmcall
    call setup
    call timer_one_shot
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_spin_then_vmcall.vmcall, "without external-interrupt exiting and guest IF clear, the interrupt neither exits nor is delivered"
    expect_eq [g_seen_vector], -1, "the guest's handler did not run"
    mov eax, [vector_counts + 4*TIMER_VECTOR]
    sti
    nop
    nop
    cli
    sub eax, [vector_counts + 4*TIMER_VECTOR]
    expect_eq eax, -1, "the host takes the interrupt the guest held off"

    ; ---- hlt in the guest without HLT exiting: halted until the interrupt
    mov ebx, g_hlt
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_ACK_INTERRUPT_ON_EXIT
    vmw VMCS_GUEST_RFLAGS, 0x202
    call timer_one_shot
    call guest_run
    expect_exit EXIT_REASON_EXTERNAL_INTERRUPT, g_hlt.after, "a guest halted by hlt (IF set) exits with EXTERNAL_INTERRUPT after the hlt"
    expect_field VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT, "its activity state is saved as HLT (1)"

    ; last: if the machine never wakes the guest, the run ends here
    mov ebx, g_hlt
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 500
    vmw VMCS_GUEST_RFLAGS, 0x202
    call guest_run
    expect_exit EXIT_REASON_PREEMPTION_TIMER, g_hlt.after, "the preemption timer runs while the guest is halted by hlt (C1): PREEMPTION_TIMER exit"

    mov ebx, g_hlt
    call setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_ACK_INTERRUPT_ON_EXIT
    call timer_one_shot
    call guest_run
    expect_exit EXIT_REASON_EXTERNAL_INTERRUPT, g_hlt.after, "a guest halted with IF clear still exits with EXTERNAL_INTERRUPT (regardless of IF)"
    done

; ---- helpers ------------------------------------------------------------------------

setup:                          ; VMCS1, guest at ebx, the guest's interrupt table
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_GUEST_IDTR_BASE, g_idt
    vmw VMCS_GUEST_IDTR_LIMIT, G_IDT_ENTRIES
    mov dword [g_seen_vector], -1
    mov dword [g_seen_eip], -1
    ret

timer_one_shot:                 ; vector 0x20 in 20000 cycles
    push eax
    mov eax, 20000
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_VECTOR
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
    pop eax
    ret

; ---- guests ---------------------------------------------------------------------------

g_ud:
    nop
.ud2:
    ud2
    vmcall
g_de:
    mov eax, 1
    mov edx, 0
    mov ecx, 0
.div:
    div ecx
    vmcall
g_spin:
    inc ecx
    jmp g_spin
g_spin_then_vmcall:
    inc ecx
    cmp ecx, 30000
    jb g_spin_then_vmcall
.vmcall:
    vmcall
g_window:
    nop
.first_done:
    sti
    nop
.after_shadow:
    vmcall
g_popf:
    push 0x202
    popf
.after:
    vmcall
g_iret:
    push 0x202
    push .target
    iret
.target:
    vmcall
g_hlt:
    hlt
.after:
    vmcall

g_handler_ud:                   ; the guest's handlers: record, then vmcall
    mov dword [g_seen_vector], 6
    jmp g_handler
g_handler_timer:
    mov dword [g_seen_vector], TIMER_VECTOR
g_handler:
    push eax
    mov eax, [esp + 4]
    mov [g_seen_eip], eax
    pop eax
.vmcall:
    vmcall
    jmp .vmcall
g_handler_other:
    mov dword [g_seen_vector], 0xee
    jmp g_handler

G_IDT_ENTRIES equ TIMER_VECTOR + 1
align 64
g_idt:
    times 6 dd g_handler_other
    dd g_handler_ud
    times TIMER_VECTOR - 7 dd g_handler_other
    dd g_handler_timer
g_seen_vector: dd -1
g_seen_eip:    dd -1
spins_100:     dd 0
