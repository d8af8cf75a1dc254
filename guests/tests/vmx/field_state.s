; field_state.s - the VMCS as storage: Intel's whole field set is there,
; every field keeps what software wrote through entries and exits, a
; 16-bit field keeps 16 bits, and guest state the guest changed (its
; interrupt table) is what the VMCS holds after the exit; a change the host
; makes between two entries is what the guest runs with.
;
; Under L0 (depth 2, test/nested-l0.test.ts runs every program here as L1)
; this is what KVM's lazy copying must get right: the segment, descriptor-
; table and SYSENTER fields travel between vmcs12 and vmcs02 only when
; needed (prepare_vmcs02_rare when vmcs12 is dirty, the rare half of
; sync_vmcs02_to_vmcs12 when L1 reads one), so each check here reads or
; writes one of them across an exit.
;
; Expected: every check "ok", exit status 0.

%include "lib.inc"

NEW_TABLE equ SCRATCH               ; the guest's second interrupt table
NEW_TABLE_ENTRIES equ 64
MARK_NEW  equ 0x6e6577              ; "new": the vector ran through NEW_TABLE

_start:
    call test_init
    call vmx_enable

    ; ---- storage: fields this machine gives no meaning are read and written as on Intel
    mov eax, VMCS1
    call vmcs_fresh
    vmw VMCS_GUEST_ES_SELECTOR, 0x12345678
    expect_field VMCS_GUEST_ES_SELECTOR, 0x5678, "a 16-bit field keeps the low 16 bits of a vmwrite"
    vmw VMCS_GUEST_CR3, 0x00abc000
    expect_field VMCS_GUEST_CR3, 0x00abc000, "GUEST_CR3 reads back"
    vmw VMCS_GUEST_IA32_EFER, 0x500
    vmw VMCS_GUEST_IA32_EFER + 1, 0x1
    expect_field VMCS_GUEST_IA32_EFER + 1, 0x1, "GUEST_IA32_EFER's high half reads back"
    vmw VMCS_HOST_CR4, 0x2020
    expect_field VMCS_HOST_CR4, 0x2020, "HOST_CR4 reads back"
    vmw VMCS_CR3_TARGET_VALUE3, 0x7000
    expect_field VMCS_CR3_TARGET_VALUE3, 0x7000, "CR3_TARGET_VALUE3 reads back"

    ; ---- across an entry and an exit
    mov eax, VMCS2
    mov ebx, guest
    call guest_setup
    vmw VMCS_GUEST_ES_SELECTOR, 0x0023
    vmw VMCS_GUEST_GDTR_BASE, 0x00123000
    vmw VMCS_GUEST_SYSENTER_EIP, 0x00c0ffee
    vmw VMCS_GUEST_CR0, 0x80000011
    vmw VMCS_GUEST_DR7, 0x400
    vmw VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0
    mov dword [guest_regs + 4*REG_EBX], new_idt_descriptor
    call guest_launch
    expect_exit EXIT_REASON_VMCALL, guest.first_vmcall, "the guest loads an interrupt table and makes a hypercall"
    expect_field VMCS_GUEST_ES_SELECTOR, 0x0023, "GUEST_ES_SELECTOR is what was written before the entry"
    expect_field VMCS_GUEST_GDTR_BASE, 0x00123000, "GUEST_GDTR_BASE too"
    expect_field VMCS_GUEST_SYSENTER_EIP, 0x00c0ffee, "GUEST_SYSENTER_EIP too"
    expect_field VMCS_GUEST_CR0, 0x80000011, "GUEST_CR0 too"
    expect_field VMCS_GUEST_IDTR_BASE, guest_idt, "GUEST_IDTR_BASE is the table the guest loaded"
    expect_field VMCS_GUEST_IDTR_LIMIT, 1, "GUEST_IDTR_LIMIT its entry count"

    ; ---- a change between two entries: the guest takes its interrupt through the new table
    call guest_skip
    vmw VMCS_GUEST_IDTR_BASE, NEW_TABLE
    vmw VMCS_GUEST_IDTR_LIMIT, NEW_TABLE_ENTRIES
    mov ecx, 0
.fill:
    mov dword [NEW_TABLE + ecx*4], guest.new_handler
    inc ecx
    cmp ecx, NEW_TABLE_ENTRIES
    jb .fill
    call guest_resume
    expect_exit EXIT_REASON_VMCALL, guest.handler_vmcall, "int 0x21 after the host changed GUEST_IDTR_BASE runs the new table's handler"
    expect_eq [guest_regs + 4*REG_ESI], MARK_NEW, "which the guest's mark confirms"
    expect_field VMCS_GUEST_ES_SELECTOR, 0x0023, "GUEST_ES_SELECTOR still holds after a second round trip"
    done

; The guest: loads the one-entry table whose descriptor ebx points at, makes
; a hypercall, then raises int 0x21 (past the first table's one entry: it
; runs only if the host's new table is in force).
guest:
    lidt [ebx]
.first_vmcall:
    vmcall
    int 0x21
    hlt
.new_handler:
    mov esi, MARK_NEW
.handler_vmcall:
    vmcall
    hlt

align 4
guest_idt:
    dd guest.new_handler
new_idt_descriptor:
    dd guest_idt, 1
