; host_state.s - what a VM exit saves and loads (docs/vmx.md, "VM entry and
; VM exit"): eip = HOST_RIP, esp = HOST_RSP, eflags = 2, the interrupt
; table HOST_IDTR_BASE with 256 entries; the GPRs other than esp keep the
; guest's values; GUEST_RIP, GUEST_RSP, GUEST_RFLAGS, the guest's interrupt
; table, sti shadow and activity state are saved.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    vmw VMCS_GUEST_IDTR_BASE, g_idt
    vmw VMCS_GUEST_IDTR_LIMIT, 1
    vmw VMCS_HOST_RIP, host_rip
    mov [saved_esp], esp
    lea eax, [esp - 0x100]
    mov [host_rsp_value], eax
    vmw VMCS_HOST_RSP, eax
    mov eax, 0x1111
    mov ebx, 0x2222
    vmlaunch
    fail "vmlaunch entered the guest"
    done

host_rip:
    ; Nothing here may change a register or the flags before they are recorded.
    mov [seen + 0], eax
    mov [seen + 4], ecx
    mov [seen + 8], edx
    mov [seen + 12], ebx
    mov [seen + 16], esp
    mov [seen + 20], ebp
    mov [seen + 24], esi
    mov [seen + 28], edi
    mov [seen + 32], r8
    mov [seen + 36], r9
    mov [seen + 40], r10
    mov [seen + 44], r11
    mov [seen + 48], r12
    mov [seen + 52], r13
    mov [seen + 56], r14
    mov [seen + 60], r15
    pushf
    pop dword [seen_flags]
    mov esp, [saved_esp]

    pass "the VM exit went to HOST_RIP"
    expect_eq [seen + 16], [host_rsp_value], "esp = HOST_RSP after the exit"
    expect_eq [seen_flags], 2, "eflags = 2 after the exit (CF ZF SF OF IF clear)"
    ; the GPRs: guest register n holds 0x600d0000 + n
    xor ecx, ecx
    xor edx, edx                ; mismatches
    mov ebx, -1                 ; the first one
.gpr:
    cmp ecx, REG_ESP
    je .next
    mov eax, ecx
    add eax, 0x600d0000
    cmp eax, [seen + ecx*4]
    je .next
    inc edx
    cmp ebx, -1
    jne .next
    mov ebx, ecx
.next:
    inc ecx
    cmp ecx, 16
    jb .gpr
    expect_eq edx, 0, "the 15 GPRs other than esp hold the guest's values at HOST_RIP"
    expect_eq ebx, -1, "(the first register that did not)"

    expect_field VMCS_VM_EXIT_REASON, EXIT_REASON_VMCALL, "the exit was the guest's vmcall"
    expect_field VMCS_GUEST_RIP, guest.vmcall, "GUEST_RIP saved: the vmcall"
    expect_field VMCS_GUEST_RSP, GUEST_STACK_TOP - 4, "GUEST_RSP saved: the guest's esp after its push"
    expect_field VMCS_GUEST_RFLAGS, 0x8C3, "GUEST_RFLAGS saved: CF ZF SF OF set, IF clear, bit 1"
    expect_field VMCS_GUEST_IDTR_BASE, g_idt2, "GUEST_IDTR_BASE saved: the guest's lidt"
    expect_field VMCS_GUEST_IDTR_LIMIT, 3, "GUEST_IDTR_LIMIT saved: the guest's entry count"
    expect_field VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE, "GUEST_ACTIVITY_STATE saved: active"
    expect_field VMCS_GUEST_INTERRUPTIBILITY_INFO, 0, "GUEST_INTERRUPTIBILITY_INFO saved: no sti shadow"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "VM_EXIT_INSTRUCTION_LEN 4"

    ; the host's interrupt table is HOST_IDTR_BASE with 256 entries
    mov eax, [vector_counts + 4*0x40]
    int 0x40
    sub eax, [vector_counts + 4*0x40]
    expect_eq eax, -1, "after the exit, int 0x40 goes through HOST_IDTR_BASE"
    mov eax, [vector_counts + 4*0xff]
    int 0xff
    sub eax, [vector_counts + 4*0xff]
    expect_eq eax, -1, "the host's interrupt table has 256 entries (int 0xff is delivered)"
    expect_eq [g_idt_used], 0, "the guest's table was not used by the host"

    ; a second exit, in the sti shadow; the host restores the guest's GPRs
    xor ecx, ecx
.copy:
    mov eax, [seen + ecx*4]
    mov [guest_regs + ecx*4], eax
    inc ecx
    cmp ecx, 16
    jb .copy
    call guest_skip
    call guest_resume
    expect_exit EXIT_REASON_VMCALL, guest.vmcall2, "the guest resumes after its vmcall and exits again"
    expect_field_bits VMCS_GUEST_RFLAGS, FLAG_IF, FLAG_IF, "GUEST_RFLAGS saved with IF set (sti)"
    expect_field VMCS_GUEST_INTERRUPTIBILITY_INFO, GUEST_INTERRUPTIBILITY_STI, "a vmcall right after sti: GUEST_INTERRUPTIBILITY_INFO saved as blocking by sti"
    expect_eq [exit_host_eflags], 2, "host eflags is 2 again (IF clear although the guest's was set)"
    expect_eq [exit_host_esp], [guest_run_esp], "esp = HOST_RSP again"
    expect_eq [guest_regs + 4*REG_EAX], 0x600d0000, "guest eax kept across the host's resume"
    expect_eq [guest_regs + 4*REG_R15], 0x600d000f, "guest r15 kept across the host's resume"
    done

guest:
    mov eax, 0x600d0000
    mov ecx, 0x600d0001
    mov edx, 0x600d0002
    mov ebx, 0x600d0003
    mov ebp, 0x600d0005
    mov esi, 0x600d0006
    mov edi, 0x600d0007
    mov r8, 0x600d0008
    mov r9, 0x600d0009
    mov r10, 0x600d000a
    mov r11, 0x600d000b
    mov r12, 0x600d000c
    mov r13, 0x600d000d
    mov r14, 0x600d000e
    mov r15, 0x600d000f
    lidt [g_idt2_descriptor]
    push 0x8C3
    popf
    push 0x5a5a
.vmcall:
    vmcall
    sti
.vmcall2:
    vmcall
    jmp .vmcall2

g_host_would_be_wrong:
    mov dword [g_idt_used], 1
    iret

align 64
g_idt2_descriptor: dd g_idt2, 3
g_idt:  dd g_host_would_be_wrong
g_idt2: times 3 dd g_host_would_be_wrong
g_idt_used: dd 0
saved_esp: dd 0
host_rsp_value: dd 0
seen_flags: dd 0
seen: times 16 dd 0
