; vmptrld.s - vmptrld and vmptrst (docs/vmx.md, "VMX operation"): errors 9
; (bad address), 10 (the VMXON pointer), 11 (wrong revision); VMfailInvalid
; without a current VMCS; vmptrst with and without a current VMCS; each VMCS
; keeps its own fields across switches.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable
    mov eax, [vmcs_revision]
    mov [VMCS1], eax
    mov [VMCS2], eax
    mov [VMCS1 + 0x800], eax
    xor eax, 0x0f0f
    mov [VMCS3], eax            ; a wrong revision identifier

    ; ---- no current VMCS yet
    mov dword [scratch], 0
    dirty_flags
    vmptrst [scratch]
    check_flags_vmsucceed "vmptrst without a current VMCS succeeds"
    expect_eq [scratch], -1, "vmptrst without a current VMCS stores all ones"
    dirty_flags
    vmptrld [misaligned_ptr]
    check_vmfail_invalid "vmptrld of a misaligned region without a current VMCS: VMfailInvalid"
    dirty_flags
    vmptrld [vmxon_ptr]
    check_vmfail_invalid "vmptrld of the VMXON region without a current VMCS: VMfailInvalid"
    dirty_flags
    vmptrld [bad_revision_ptr]
    check_vmfail_invalid "vmptrld with a wrong revision without a current VMCS: VMfailInvalid"
    vmptrst [scratch]
    expect_eq [scratch], -1, "failed vmptrlds leave no current VMCS"

    ; ---- load VMCS1
    vmclear [vmcs1_ptr]
    dirty_flags
    vmptrld [vmcs1_ptr]
    check_flags_vmsucceed "vmptrld of a good VMCS succeeds"
    dirty_flags
    vmptrst [scratch]
    check_flags_vmsucceed "vmptrst with a current VMCS succeeds"
    expect_eq [scratch], VMCS1, "vmptrst stores the current-VMCS pointer"
    dirty_flags
    vmptrld [vmcs1_ptr]
    check_flags_vmsucceed "vmptrld of the current VMCS again succeeds"

    ; ---- errors with a current VMCS: VMfailValid into the current VMCS
    dirty_flags
    vmptrld [misaligned_ptr]
    check_vmfail_valid VMERR_VMPTRLD_INVALID_ADDRESS, "vmptrld of a region not 4 KiB-aligned: VMfailValid(9)"
    dirty_flags
    vmptrld [not_in_ram_ptr]
    check_vmfail_valid VMERR_VMPTRLD_INVALID_ADDRESS, "vmptrld of a region outside RAM: VMfailValid(9)"
    dirty_flags
    vmptrld [vmxon_ptr]
    check_vmfail_valid VMERR_VMPTRLD_VMXON_POINTER, "vmptrld of the VMXON region: VMfailValid(10)"
    dirty_flags
    vmptrld [bad_revision_ptr]
    check_vmfail_valid VMERR_VMPTRLD_INCORRECT_REVISION, "vmptrld of a region with a wrong revision: VMfailValid(11)"
    vmptrst [scratch]
    expect_eq [scratch], VMCS1, "the failed vmptrlds left VMCS1 current"

    ; ---- fields belong to their VMCS
    mov ebx, VMCS_GUEST_RIP
    mov eax, 0x1111
    vmwrite ebx, eax
    vmclear [vmcs2_ptr]
    vmptrld [vmcs2_ptr]
    check_flags_vmsucceed "vmptrld of a second VMCS succeeds"
    vmptrst [scratch]
    expect_eq [scratch], VMCS2, "vmptrst names the second VMCS"
    mov eax, 0x2222
    vmwrite ebx, eax
    vmptrld [vmcs1_ptr]
    mov eax, 0
    vmread eax, ebx
    expect_eq eax, 0x1111, "VMCS1 kept its GUEST_RIP while VMCS2 was current"
    vmptrld [vmcs2_ptr]
    mov eax, 0
    vmread eax, ebx
    expect_eq eax, 0x2222, "VMCS2 kept its GUEST_RIP while VMCS1 was current"
    ; the error of a failed vmptrld is written to the current VMCS only
    mov ecx, VMCS_VM_INSTRUCTION_ERROR
    mov eax, 0
    vmwrite ecx, eax
    vmptrld [vmcs1_ptr]
    vmptrld [vmxon_ptr]
    vmptrld [vmcs2_ptr]
    vmread eax, ecx
    expect_eq eax, 0, "VMfailValid(10) went to VMCS1, not to VMCS2"
    vmptrld [vmcs1_ptr]
    vmread eax, ecx
    expect_eq eax, VMERR_VMPTRLD_VMXON_POINTER, "VMCS1 holds VM_INSTRUCTION_ERROR 10"

    ; ---- vmptrst to memory named by base + index*scale + displacement
    mov esi, scratch - 16
    mov edi, 2
    mov dword [scratch + 4], 0
    vmptrst [esi + edi*8 + 4]
    expect_eq [scratch + 4], VMCS1, "vmptrst [base + index*8 + disp] stores at the effective address"
    done

align 8
vmxon_ptr:        dd VMXON_REGION, 0
vmcs1_ptr:        dd VMCS1, 0
vmcs2_ptr:        dd VMCS2, 0
misaligned_ptr:   dd VMCS1 + 0x800, 0
not_in_ram_ptr:   dd NOT_IN_RAM, 0
bad_revision_ptr: dd VMCS3, 0
scratch:          dd 0, 0, 0, 0
