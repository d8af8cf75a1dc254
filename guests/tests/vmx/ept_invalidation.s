; ept_invalidation.s - invept reaches every translation of the guest it
; invalidates (docs/vmx.md, "EPT"): after the host remaps a guest page,
; takes a permission away or grants one and runs invept, the guest's next
; access uses the new entry. The guest reports what it read in memory (at
; RESULT), not in a register, so the checks hold whichever thread runs it:
; run as L1 under L0 in hw mode, L2 runs on a thread of its own, whose
; translations must be dropped too (a stale one kept L2 reading an unmapped
; page, and a write made allowed faulted forever).

%include "lib.inc"

EPTP        equ EPT_DIRECTORY | EPT_EPTP_WALK_LENGTH_2 | EPT_EPTP_WRITE_BACK
RWX         equ EPT_READ | EPT_WRITE | EPT_EXECUTE
PG_REMAP    equ 0x200000        ; guest page mapped to TARGET1, then TARGET2, then nothing
PG_GRANT    equ 0x201000        ; read-only, then read-write
TARGET1     equ 0x205000
TARGET2     equ 0x206000
RESULT      equ SCRATCH

_start:
    call test_init
    call vmx_enable
    call build_ept
    mov eax, VMCS1
    mov ebx, g_read_remap
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT
    vmw VMCS_EPT_POINTER, EPTP
    call invalidate

    ; ---- a remapped page
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_read_remap.vmcall, "the guest reads its page"
    expect_eq [RESULT], 0x11111111, "and sees the page it is mapped to"
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], TARGET2 | RWX
    call invalidate
    mov ebx, g_read_remap
    call guest_run_at
    expect_eq [RESULT], 0x22222222, "remapped, then invept: the guest reads the new page"

    ; ---- a page taken away
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], 0
    call invalidate
    mov dword [RESULT], 0
    mov ebx, g_read_remap
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_read_remap, "unmapped, then invept: the load exits with EPT_VIOLATION"
    expect_eq [RESULT], 0, "and the guest stored nothing"

    ; ---- a write granted
    mov ebx, g_write_grant
    call guest_run_at
    expect_exit EXIT_REASON_EPT_VIOLATION, g_write_grant.store, "a store to a read-only page exits"
    mov dword [EPT_TABLE + (PG_GRANT >> 12) * 4], PG_GRANT | EPT_READ | EPT_WRITE
    call invalidate
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_write_grant.vmcall, "made writable, then invept: the store completes"
    expect_eq [PG_GRANT], 0x5a5a5a5a, "and reaches the page"
    done

; ---- helpers ------------------------------------------------------------------------

invalidate:                     ; invept single-context of the guest's EPTP
    push ecx
    mov ecx, EPT_INVEPT_SINGLE_CONTEXT
    invept ecx, [invept_desc]
    check_flags_vmsucceed "invept single-context succeeds"
    pop ecx
    ret

build_ept:                      ; identity map of 0-4 MiB, RWX, with the test pages and their contents
    call ept_identity_map
    mov dword [TARGET1], 0x11111111
    mov dword [TARGET2], 0x22222222
    mov dword [EPT_TABLE + (PG_REMAP >> 12) * 4], TARGET1 | RWX
    mov dword [EPT_TABLE + (PG_GRANT >> 12) * 4], PG_GRANT | EPT_READ
    ret

; ---- guests ---------------------------------------------------------------------------

g_read_remap:
    mov eax, [PG_REMAP]
    mov [RESULT], eax
.vmcall:
    vmcall
g_write_grant:
    mov ecx, 0x5a5a5a5a
.store:
    mov [PG_GRANT], ecx
.vmcall:
    vmcall

invept_desc: dd EPTP, 0, 0, 0
