; ept.s - EPT (docs/vmx.md, "EPT"): a two-level table of 4 KiB pages with
; R/W/X bits; read, write and execute violations and missing entries exit
; with EPT_VIOLATION (48), the access and the translation's permissions in
; the qualification and the address in GUEST_PHYSICAL_ADDRESS and
; GUEST_LINEAR_ADDRESS; a changed entry is not seen until invept; invept
; types other than 1 and 2 fail with VMfailValid(28); interrupt delivery
; goes through EPT too.

%include "lib.inc"

EPTP        equ EPT_DIRECTORY | EPT_EPTP_WALK_LENGTH_2 | EPT_EPTP_WRITE_BACK
RWX         equ EPT_READ | EPT_WRITE | EPT_EXECUTE
PG_R        equ 0x200000        ; read-only
PG_RW       equ 0x201000        ; read and write, no execute
PG_X        equ 0x202000        ; execute only
PG_NONE     equ 0x203000        ; no entry
PG_REMAP    equ 0x204000        ; guest page mapped elsewhere
TARGET1     equ 0x205000
TARGET2     equ 0x206000
PG_HIGH     equ 0x400000        ; under a read-only directory entry
HIGH_TARGET equ 0x207000
PG_NO_PDE   equ 0x800000        ; its directory entry is absent
STACK_PAGE  equ GUEST_STACK_TOP - 0x1000
QUAL_MASK   equ 0x3f            ; access bits 2:0 and permission bits 5:3

_start:
    call test_init
    call vmx_enable
    call build_ept
    mov dword [TARGET1], 0x11111111
    mov dword [TARGET2], 0x22222222
    mov dword [PG_R], 0x0bad0bad
    mov dword [HIGH_TARGET], 0x77777777

    mov eax, VMCS1
    mov ebx, g_vmcall
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT
    vmw VMCS_EPT_POINTER, EPTP
    vmw VMCS_GUEST_IDTR_BASE, g_idt
    vmw VMCS_GUEST_IDTR_LIMIT, 0x31
    mov ecx, EPT_INVEPT_ALL_CONTEXT
    invept ecx, [invept_desc]
    check_flags_vmsucceed "invept all-context succeeds"
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_vmcall, "a guest under an identity-mapped EPT runs"

    ; ---- permissions
    mov ebx, g_read_r
    call guest_run_at
    expect_exit EXIT_REASON_VMCALL, g_read_r.vmcall, "a load from a read-only page runs"
    expect_eq [guest_regs + 4*REG_EAX], 0x0bad0bad, "and reads the page"

    mov ebx, g_write_r
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_write_r.store, "a store to a read-only page: EPT_VIOLATION (48) at the store"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_WRITE | (EPT_READ << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: data write, page readable only"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_R + 0x24, "GUEST_PHYSICAL_ADDRESS is the address stored to"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS + 1, 0, "GUEST_PHYSICAL_ADDRESS high half is 0"
    expect_field VMCS_GUEST_LINEAR_ADDRESS, PG_R + 0x24, "GUEST_LINEAR_ADDRESS is the same address"
    expect_eq [PG_R + 0x24], 0, "the store did not happen"

    mov ebx, g_fetch_rw
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, PG_RW, "a fetch from a page without execute: EPT_VIOLATION with GUEST_RIP at the page"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_INSTRUCTION_FETCH | ((EPT_READ | EPT_WRITE) << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: instruction fetch, page readable and writable"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_RW, "GUEST_PHYSICAL_ADDRESS is the fetched address"

    mov ebx, g_read_x
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_read_x, "a load from an execute-only page: EPT_VIOLATION"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_READ | (EPT_EXECUTE << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: data read, page executable only"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_X + 0x100, "GUEST_PHYSICAL_ADDRESS is the address loaded"

    mov ebx, g_read_none
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_read_none, "a load from a page without a table entry: EPT_VIOLATION"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_READ, "qualification: data read, no permissions (not present)"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_NONE + 0x8, "GUEST_PHYSICAL_ADDRESS is the address loaded"

    mov ebx, g_read_no_pde
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_read_no_pde, "a load under a missing directory entry: EPT_VIOLATION"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_READ, "qualification: data read, not present"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_NO_PDE + 0x40, "GUEST_PHYSICAL_ADDRESS is the address loaded"

    mov ebx, g_high
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_high.store, "a read-only directory entry over a RWX table entry: the load runs, the store exits"
    expect_eq [guest_regs + 4*REG_EAX], 0x77777777, "the load read the page the table entry names"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_WRITE | (EPT_READ << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: data write, readable only (both levels' permissions)"

    ; ---- remapping and the translation cache
    mov ebx, g_read_remap
    call guest_run_at
    expect_eq [guest_regs + 4*REG_EAX], 0x11111111, "a guest page mapped to another physical page reads that page"
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], TARGET2 | RWX
    mov ebx, g_read_remap
    call guest_run_at
    expect_eq [guest_regs + 4*REG_EAX], 0x11111111, "after the host changed the entry without invept, the stale translation is still used"
    mov ecx, EPT_INVEPT_SINGLE_CONTEXT
    dirty_flags
    invept ecx, [invept_desc]
    check_flags_vmsucceed "invept single-context of the guest's EPTP succeeds"
    mov ebx, g_read_remap
    call guest_run_at
    expect_eq [guest_regs + 4*REG_EAX], 0x22222222, "after invept the new translation is used"
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], TARGET2 | EPT_EXECUTE
    mov ebx, g_read_remap
    call guest_run_at
    expect_exit EXIT_REASON_VMCALL, g_read_remap.vmcall, "read permission taken away without invept: the cached permission still allows the load"
    mov ecx, EPT_INVEPT_ALL_CONTEXT
    invept ecx, [invept_desc]
    mov ebx, g_read_remap
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_read_remap, "after invept all-context the load exits"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_READ | (EPT_EXECUTE << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: data read, executable only"

    ; ---- invept types
    mov ecx, 0
    dirty_flags
    invept ecx, [invept_desc]
    check_vmfail_valid VMERR_INVALID_INVEPT_OPERAND, "invept type 0: VMfailValid(28)"
    mov ecx, 3
    invept ecx, [invept_desc]
    check_vmfail_valid VMERR_INVALID_INVEPT_OPERAND, "invept type 3: VMfailValid(28)"

    ; ---- interrupt delivery goes through EPT
    mov dword [EPT_TABLE + (STACK_PAGE >> 12) * 4], STACK_PAGE | EPT_READ
    mov ecx, EPT_INVEPT_ALL_CONTEXT
    invept ecx, [invept_desc]
    vmw VMCS_GUEST_RSP, GUEST_STACK_TOP
    vmw VMCS_GUEST_RFLAGS, 0x202
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | 0x30
    mov ebx, g_vmcall
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_vmcall, "injecting an interrupt onto a read-only guest stack: EPT_VIOLATION"
    expect_field_bits VMCS_EXIT_QUALIFICATION, QUAL_MASK, EPT_QUAL_DATA_WRITE | (EPT_READ << EPT_QUAL_PERMISSIONS_SHIFT), "qualification: data write (the frame), readable only"
    expect_field_bits VMCS_GUEST_PHYSICAL_ADDRESS, 0xfffff000, STACK_PAGE, "GUEST_PHYSICAL_ADDRESS is on the guest's stack page"
    expect_field VMCS_IDT_VECTORING_INFO_FIELD, 0, "IDT_VECTORING_INFO_FIELD reads 0 (this machine does not record the event)"
    mov dword [EPT_TABLE + (STACK_PAGE >> 12) * 4], STACK_PAGE | RWX
    mov ecx, EPT_INVEPT_ALL_CONTEXT
    invept ecx, [invept_desc]
    vmw VMCS_VM_ENTRY_INTR_INFO_FIELD, 0
    vmw VMCS_GUEST_RSP, GUEST_STACK_TOP
    vmw VMCS_GUEST_IDTR_BASE, PG_NONE
    mov ebx, g_int
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_int, "int 0x30 with the guest's table in an unmapped page: EPT_VIOLATION"
    expect_field VMCS_GUEST_PHYSICAL_ADDRESS, PG_NONE + 0x30 * 4, "GUEST_PHYSICAL_ADDRESS is the table entry read"

    ; ---- invept needs a current VMCS
    vmclear [vmcs1_ptr]
    mov ecx, 0
    dirty_flags
    invept ecx, [invept_desc]
    check_vmfail_invalid "invept (type 0) without a current VMCS: VMfailInvalid"
    done

; ---- helpers ------------------------------------------------------------------------

build_ept:                      ; identity map of 0-4 MiB, RWX, with the test pages
    call ept_identity_map
    mov dword [EPT_DIRECTORY + 4], EPT_TABLE2 | EPT_READ
    mov dword [EPT_TABLE2 + 0], HIGH_TARGET | RWX
    mov dword [EPT_TABLE + (PG_R >> 12) * 4], PG_R | EPT_READ
    mov dword [EPT_TABLE + (PG_RW >> 12) * 4], PG_RW | EPT_READ | EPT_WRITE
    mov dword [EPT_TABLE + (PG_X >> 12) * 4], PG_X | EPT_EXECUTE
    mov dword [EPT_TABLE + (PG_NONE >> 12) * 4], 0
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], TARGET1 | RWX
    ret

; ---- guests ---------------------------------------------------------------------------

g_vmcall:
    vmcall
    jmp g_vmcall
g_read_r:
    mov eax, [PG_R]
.vmcall:
    vmcall
g_write_r:
    mov ecx, 0x5a5a
.store:
    mov [PG_R + 0x24], ecx
    vmcall
g_fetch_rw:
    jmp PG_RW
g_read_x:
    mov eax, [PG_X + 0x100]
    vmcall
g_read_none:
    mov eax, [PG_NONE + 0x8]
    vmcall
g_read_no_pde:
    mov eax, [PG_NO_PDE + 0x40]
    vmcall
g_high:
    mov eax, [PG_HIGH]
.store:
    mov [PG_HIGH], eax
    vmcall
g_read_remap:
    mov eax, [PG_REMAP]
.vmcall:
    vmcall
g_int:
    int 0x30
    vmcall

g_handler:
    vmcall
    iret

align 64
g_idt:       times 0x31 dd g_handler
invept_desc: dd EPTP, 0, 0, 0
vmcs1_ptr:   dd VMCS1, 0
