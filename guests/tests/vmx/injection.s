; injection.s - event injection at VM entry through VM_ENTRY_INTR_INFO_FIELD
; (docs/vmx.md, "VM entry and VM exit"): an external interrupt, a hardware
; exception and a software interrupt arrive at the guest's handler with the
; right frame (eflags, then the return eip), IF cleared; the valid bit is
; cleared; an event the guest cannot take is a triple fault.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- external interrupt, vector 0x30
    call setup
    vmw VMCS_GUEST_RFLAGS, 0xAC3                ; IF, CF ZF SF OF
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | 0x30
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "an injected external interrupt runs the guest's handler (which vmcalls)"
    expect_eq [h_vector], 0x30, "the handler of vector 0x30 ran"
    expect_eq [h_count], 1, "once"
    expect_eq [h_eip], g_main, "the frame's return eip is GUEST_RIP"
    expect_eq [h_pushed_flags], 0xAC3, "the frame's eflags is GUEST_RFLAGS"
    expect_eq [h_flags], 0x8C3, "the handler runs with IF cleared, the other flags kept"
    expect_eq [h_esp], GUEST_STACK_TOP - 12, "the frame is two dwords below GUEST_RSP (plus the handler's push)"
    expect_field_bits VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID, 0, "the valid bit of VM_ENTRY_INTR_INFO_FIELD is clear after the entry"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_main, "after iret the guest continues at GUEST_RIP"
    expect_eq [h_count], 1, "resuming does not inject the event again"

    ; ---- hardware exception #UD, vector 6
    call setup
    vmw VMCS_GUEST_RFLAGS, 0x8C3
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 6
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "an injected hardware exception runs the guest's handler"
    expect_eq [h_vector], 6, "the handler of vector 6 ran"
    expect_eq [h_eip], g_main, "the frame's return eip is GUEST_RIP (no instruction skipped)"
    expect_eq [h_pushed_flags], 0x8C3, "the frame's eflags is GUEST_RFLAGS"
    expect_eq [h_esp], GUEST_STACK_TOP - 12, "no error code is pushed for #UD"
    expect_field_bits VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID, 0, "the valid bit is clear after the entry"

    call setup
    vmw VMCS_EXCEPTION_BITMAP, 1 << 6
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 6
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "an injected exception is delivered even with its bit in EXCEPTION_BITMAP"

    ; ---- software interrupt, vector 0x31: the return eip skips the instruction
    call setup
    vmw VMCS_GUEST_RFLAGS, 0x202
    vmw VMCS_GUEST_RIP, g_int
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_SOFTWARE_INTERRUPT | 0x31
    vmw VMCS_VM_ENTRY_INSTRUCTION_LEN, 8
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "an injected software interrupt runs the guest's handler"
    expect_eq [h_vector], 0x31, "the handler of vector 0x31 ran"
    expect_eq [h_eip], g_int.after, "the frame's return eip is GUEST_RIP + VM_ENTRY_INSTRUCTION_LEN"
    expect_eq [h_pushed_flags], 0x202, "the frame's eflags is GUEST_RFLAGS"
    expect_eq [h_flags], 2, "the handler runs with IF cleared"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_int.after, "after iret the guest continues past the int instruction"

    ; ---- an event the guest cannot take
    call setup
    vmw VMCS_GUEST_IDTR_LIMIT, 0x10
    vmw VMCS_GUEST_RFLAGS, 0x202
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | 0x30
    call guest_run
    expect_eq eax, EXIT_REASON_TRIPLE_FAULT, "injecting a vector beyond the guest's table: TRIPLE_FAULT exit"
    expect_eq [h_count], 0, "no handler ran"
    done

setup:                          ; VMCS1, guest at g_main with its interrupt table
    push eax
    push ebx
    mov eax, VMCS1
    mov ebx, g_main
    call guest_setup
    vmw VMCS_GUEST_IDTR_BASE, g_idt
    vmw VMCS_GUEST_IDTR_LIMIT, G_IDT_ENTRIES
    mov dword [h_count], 0
    mov dword [h_vector], -1
    mov dword [h_eip], -1
    mov dword [h_flags], -1
    mov dword [h_pushed_flags], -1
    pop ebx
    pop eax
    ret

; ---- the guest ----------------------------------------------------------------------------

g_main:
    vmcall
    jmp g_main
g_int:
    int 0x31                    ; the instruction the injected software interrupt stands for
.after:
    vmcall
    jmp .after

g_handler_6:
    pushf
    pop dword [h_flags]
    mov dword [h_vector], 6
    jmp g_handler
g_handler_30:
    pushf
    pop dword [h_flags]
    mov dword [h_vector], 0x30
    jmp g_handler
g_handler_31:
    pushf
    pop dword [h_flags]
    mov dword [h_vector], 0x31
    jmp g_handler
g_handler_other:
    pushf
    pop dword [h_flags]
    mov dword [h_vector], 0xee
g_handler:
    push eax
    mov [h_esp], esp
    mov eax, [esp + 4]
    mov [h_eip], eax
    mov eax, [esp + 8]
    mov [h_pushed_flags], eax
    pop eax
    inc dword [h_count]
.vmcall:
    vmcall
    iret

G_IDT_ENTRIES equ 0x32
align 64
g_idt:
    times 6 dd g_handler_other
    dd g_handler_6
    times 0x30 - 7 dd g_handler_other
    dd g_handler_30
    dd g_handler_31
h_count:        dd 0
h_vector:       dd 0
h_eip:          dd 0
h_flags:        dd 0
h_pushed_flags: dd 0
h_esp:          dd 0
