; shadowing.s - VMCS shadowing (docs/vmx.md, "VMCS shadowing"): with the
; secondary control and a shadow VMCS (revision bit 31) in the link pointer,
; a guest's vmread/vmwrite of a field whose bitmap bit is clear does not
; exit and reads/writes the shadow VMCS, which the host sees after vmptrld
; of the shadow VMCS; a set bit exits with VMREAD/VMWRITE.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- the shadow VMCS: revision with bit 31 set
    mov ecx, 0
.zero:
    mov dword [SHADOW_VMCS + ecx*4], 0
    mov dword [VMREAD_BITMAP_PAGE + ecx*4], 0
    mov dword [VMWRITE_BITMAP_PAGE + ecx*4], 0
    inc ecx
    cmp ecx, 1024
    jb .zero
    mov eax, [vmcs_revision]
    or eax, 0x80000000
    mov [SHADOW_VMCS], eax
    vmclear [shadow_ptr]
    dirty_flags
    vmptrld [shadow_ptr]
    check_flags_vmsucceed "vmptrld of a shadow VMCS (revision bit 31 set) succeeds"
    vmw VMCS_GUEST_RIP, 0x1234
    vmw VMCS_GUEST_RSP, 0
    dirty_flags
    vmlaunch
    check_vmfail_invalid "vmlaunch with a shadow VMCS current: VMfailInvalid (SDM)"

    ; bit 0x6400 (EXIT_QUALIFICATION) set in both bitmaps
    mov dword [VMREAD_BITMAP_PAGE + (VMCS_EXIT_QUALIFICATION >> 3)], 1 << (VMCS_EXIT_QUALIFICATION & 7)
    mov dword [VMWRITE_BITMAP_PAGE + (VMCS_EXIT_QUALIFICATION >> 3)], 1 << (VMCS_EXIT_QUALIFICATION & 7)

    mov eax, VMCS1
    mov ebx, g_shadow
    call guest_setup
    call shadow_controls
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_shadow.vmcall1, "the guest's shadowed vmread and vmwrite did not exit"
    expect_eq [g_val1], 0x1234, "a shadowed vmread r, r reads the shadow VMCS"
    expect_eq [g_flags1], 2, "and succeeds (CF ZF SF OF clear)"
    expect_eq [g_flags2], 2, "a shadowed vmwrite succeeds"
    expect_eq [g_val2], 0x1234, "a shadowed vmread [m], r stores the shadow VMCS field"
    expect_bits [g_flags3], FLAGS_CZSO, FLAG_ZF, "a shadowed vmread of an unsupported component fails with VMfailValid"
    vmr eax, VMCS_GUEST_RIP
    expect_eq eax, g_shadow.vmcall1, "the shadowed vmwrite did not touch the current VMCS (its GUEST_RIP is the guest's)"
    vmr eax, VMCS_GUEST_RSP
    expect_ne eax, 0x4321, "nor its GUEST_RSP"

    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMREAD, g_shadow.vmread_exit, "vmread of a field whose VMREAD bitmap bit is set exits with VMREAD"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMWRITE, g_shadow.vmwrite_exit, "vmwrite of a field whose VMWRITE bitmap bit is set exits with VMWRITE"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMREAD, g_shadow.vmread_big, "vmread of an encoding above 0x7fff exits (outside the bitmap)"

    ; the host looks at the shadow VMCS
    vmptrld [shadow_ptr]
    vmr eax, VMCS_GUEST_RSP
    expect_eq eax, 0x4321, "after vmptrld of the shadow VMCS the host reads the guest's shadowed vmwrite"
    vmr eax, VMCS_VM_INSTRUCTION_ERROR
    expect_eq eax, VMERR_UNSUPPORTED_COMPONENT, "the guest's failed shadowed vmread wrote error 12 into the shadow VMCS"
    vmw VMCS_GUEST_RIP, 0x5678
    vmptrld [vmcs1_ptr]
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_shadow.vmcall2, "the guest runs on"
    expect_eq [g_val3], 0x5678, "the guest reads what the host wrote into the shadow VMCS"

    ; ---- link pointers shadowing cannot use
    mov eax, [vmcs_revision]
    mov [VMCS2], eax
    mov eax, VMCS1
    mov ebx, g_shadow
    call guest_setup
    call shadow_controls
    vmw VMCS_VMCS_LINK_POINTER, VMCS2      ; an ordinary VMCS: bit 31 clear
    call guest_run
    call entry_refused
    expect_eq eax, 1, "shadowing with a link pointer to a VMCS without bit 31: the entry fails (VMfailValid(7) or exit 33)"

    mov eax, VMCS1
    mov ebx, g_shadow
    call guest_setup
    call shadow_controls
    vmw VMCS_VMCS_LINK_POINTER, -1
    vmw VMCS_VMCS_LINK_POINTER + 1, -1
    mov dword [g_flags1], -1
    call guest_run
    call entry_refused
    test eax, eax
    jnz .refused
    ; entered (Intel's reading): the shadowed vmread has no VMCS to read
    expect_bits [g_flags1], FLAGS_CZSO, FLAG_CF, "shadowing with link pointer all ones: entry refused, or the guest's vmread fails with VMfailInvalid (SDM)"
    jmp .done
.refused:
    pass "shadowing with link pointer all ones: entry refused, or the guest's vmread fails with VMfailInvalid (SDM)"
.done:
    done

; ---- helpers ------------------------------------------------------------------------

shadow_controls:
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, PROC2_VMCS_SHADOWING
    vmw VMCS_VMREAD_BITMAP, VMREAD_BITMAP_PAGE
    vmw VMCS_VMWRITE_BITMAP, VMWRITE_BITMAP_PAGE
    vmw VMCS_VMCS_LINK_POINTER, SHADOW_VMCS
    vmw VMCS_VMCS_LINK_POINTER + 1, 0
    ret

entry_refused:                  ; after guest_run (eax): eax = 1 if the entry failed with VMfailValid(7) or exit 33 | bit 31
    cmp eax, EXIT_REASON_INVALID_STATE | 0x80000000
    je .yes
    cmp eax, -1
    jne .no
    vmr eax, VMCS_VM_INSTRUCTION_ERROR
    cmp eax, VMERR_ENTRY_INVALID_CONTROLS
    jne .no
.yes:
    mov eax, 1
    ret
.no:
    mov eax, 0
    ret

; ---- the guest ----------------------------------------------------------------------------

g_shadow:
    mov ebx, VMCS_GUEST_RIP
    vmread eax, ebx
    pushf
    pop dword [g_flags1]
    mov [g_val1], eax
    mov ecx, VMCS_GUEST_RSP
    mov edx, 0x4321
    vmwrite ecx, edx
    pushf
    pop dword [g_flags2]
    vmread [g_val2], ebx
    mov ebx, 0x1234
    vmread eax, ebx
    pushf
    pop dword [g_flags3]
.vmcall1:
    vmcall
    mov ebx, VMCS_EXIT_QUALIFICATION
.vmread_exit:
    vmread eax, ebx
.vmwrite_exit:
    vmwrite ebx, edx
    mov ebx, VMCS_GUEST_RIP + 0x10000
.vmread_big:
    vmread eax, ebx
    mov ebx, VMCS_GUEST_RIP
    vmread eax, ebx
    mov [g_val3], eax
.vmcall2:
    vmcall
    jmp .vmcall2

align 64
shadow_ptr: dd SHADOW_VMCS, 0
vmcs1_ptr:  dd VMCS1, 0
g_val1:     dd 0
g_val2:     dd 0
g_val3:     dd 0
g_flags1:   dd 0
g_flags2:   dd 0
g_flags3:   dd 0
