; vmx_insn_exits.s - every VMX instruction exits from a guest, with its
; reason, VM_EXIT_INSTRUCTION_LEN, the memory operand's displacement in
; EXIT_QUALIFICATION and the operands in VMX_INSTRUCTION_INFO (Intel's
; layout: scale 1:0, reg1 6:3, register operand bit 10, index 21:18 with
; invalid bit 22, base 26:23 with invalid bit 27, reg2 31:28).
; docs/vmx.md, "What exits" and "Exit information".

%include "lib.inc"

MEM_INFO_MASK     equ 0x0FFC0403   ; scale, mem/reg bit, index, base (reg2 undefined)
MEM_REG2_MASK     equ 0xFFFC0403   ; the same and reg2
REG_INFO_MASK     equ 0xF0000478   ; reg1, mem/reg bit, reg2

_start:
    call test_init
    call vmx_enable
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    call guest_run

    expect_exit EXIT_REASON_VMON, guest.vmxon, "vmxon in a guest exits with VMON (27)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 8, "vmxon [m]: VM_EXIT_INSTRUCTION_LEN 8"
    expect_field VMCS_EXIT_QUALIFICATION, 0x10, "vmxon [ebx + 0x10]: EXIT_QUALIFICATION = displacement 0x10"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_INFO_MASK, (REG_EBX << INSN_INFO_BASE_SHIFT) | INSN_INFO_INDEX_INVALID, "vmxon [ebx + 0x10]: base ebx, no index, memory operand"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMPTRLD, guest.vmptrld, "vmptrld in a guest exits with VMPTRLD (21)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 8, "vmptrld [m]: VM_EXIT_INSTRUCTION_LEN 8"
    expect_field VMCS_EXIT_QUALIFICATION, 0x20, "vmptrld [esi + edi*4 + 0x20]: EXIT_QUALIFICATION 0x20"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_INFO_MASK, 2 | (REG_EDI << INSN_INFO_INDEX_SHIFT) | (REG_ESI << INSN_INFO_BASE_SHIFT), "vmptrld [esi + edi*4 + 0x20]: scale 4, index edi, base esi"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMPTRST, guest.vmptrst, "vmptrst in a guest exits with VMPTRST (22)"
    expect_field VMCS_EXIT_QUALIFICATION, guest_data, "vmptrst [guest_data]: EXIT_QUALIFICATION = the absolute address"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_INFO_MASK, INSN_INFO_BASE_INVALID | INSN_INFO_INDEX_INVALID, "vmptrst [abs]: no base, no index"
    expect_eq [guest_data], 0x5a5a5a5a, "the exiting vmptrst stored nothing"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMCLEAR, guest.vmclear, "vmclear in a guest exits with VMCLEAR (19)"
    expect_field VMCS_EXIT_QUALIFICATION, 0x40, "vmclear [ecx*8 + 0x40]: EXIT_QUALIFICATION 0x40"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_INFO_MASK, 3 | (REG_ECX << INSN_INFO_INDEX_SHIFT) | INSN_INFO_BASE_INVALID, "vmclear [ecx*8 + 0x40]: scale 8, index ecx, no base"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMREAD, guest.vmread_rr, "vmread r, r in a guest exits with VMREAD (23)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmread r, r: VM_EXIT_INSTRUCTION_LEN 4"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, REG_INFO_MASK, (REG_ESI << INSN_INFO_REG1_SHIFT) | INSN_INFO_REG1_IS_REGISTER | (REG_EDI << INSN_INFO_REG2_SHIFT), "vmread esi, edi: reg1 = esi (destination, a register), reg2 = edi (field)"
    expect_eq [guest_regs + 4*REG_ESI], 0x5e5e, "the exiting vmread did not write its destination"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMREAD, guest.vmread_mr, "vmread [m], r in a guest exits with VMREAD"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 8, "vmread [m], r: VM_EXIT_INSTRUCTION_LEN 8"
    expect_field VMCS_EXIT_QUALIFICATION, 8, "vmread [eax + 8], ecx: EXIT_QUALIFICATION 8"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_REG2_MASK, (REG_EAX << INSN_INFO_BASE_SHIFT) | INSN_INFO_INDEX_INVALID | (REG_ECX << INSN_INFO_REG2_SHIFT), "vmread [eax + 8], ecx: base eax, no index, memory operand, reg2 = ecx"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMWRITE, guest.vmwrite_rr, "vmwrite r, r in a guest exits with VMWRITE (25)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmwrite r, r: VM_EXIT_INSTRUCTION_LEN 4"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, REG_INFO_MASK, (REG_EBP << INSN_INFO_REG1_SHIFT) | INSN_INFO_REG1_IS_REGISTER | (REG_EDX << INSN_INFO_REG2_SHIFT), "vmwrite edx, ebp: reg1 = ebp (source), reg2 = edx (field)"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMWRITE, guest.vmwrite_rm, "vmwrite r, [m] in a guest exits with VMWRITE"
    expect_field VMCS_EXIT_QUALIFICATION, 4, "vmwrite r9, [r10 + 4]: EXIT_QUALIFICATION 4"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_REG2_MASK, (REG_R10 << INSN_INFO_BASE_SHIFT) | INSN_INFO_INDEX_INVALID | (REG_R9 << INSN_INFO_REG2_SHIFT), "vmwrite r9, [r10 + 4]: base r10, no index, reg2 = r9"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMLAUNCH, guest.vmlaunch, "vmlaunch in a guest exits with VMLAUNCH (20)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmlaunch: VM_EXIT_INSTRUCTION_LEN 4"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMRESUME, guest.vmresume, "vmresume in a guest exits with VMRESUME (24)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmresume: VM_EXIT_INSTRUCTION_LEN 4"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_INVEPT, guest.invept, "invept in a guest exits with INVEPT (50)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 8, "invept: VM_EXIT_INSTRUCTION_LEN 8"
    expect_field VMCS_EXIT_QUALIFICATION, 0x30, "invept r11, [r12 + 0x30]: EXIT_QUALIFICATION 0x30"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, MEM_REG2_MASK, (REG_R12 << INSN_INFO_BASE_SHIFT) | INSN_INFO_INDEX_INVALID | (REG_R11 << INSN_INFO_REG2_SHIFT), "invept r11, [r12 + 0x30]: base r12, no index, reg2 = r11 (the type)"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMOFF, guest.vmxoff, "vmxoff in a guest exits with VMOFF (26)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmxoff: VM_EXIT_INSTRUCTION_LEN 4"
    call guest_skip
    call guest_run

    expect_exit EXIT_REASON_VMCALL, guest.vmcall, "vmcall in a guest exits with VMCALL (18)"
    ; the host is still in VMX root operation with its VMCS current
    vmptrst [host_data]
    check_flags_vmsucceed "after all those guest VMX instructions the host's vmptrst succeeds"
    expect_eq [host_data], VMCS1, "and VMCS1 is still current"
    done

guest:
    mov ebx, guest_data
.vmxon:
    vmxon [ebx + 0x10]
    mov esi, guest_data
    mov edi, 1
.vmptrld:
    vmptrld [esi + edi*4 + 0x20]
    mov dword [guest_data], 0x5a5a5a5a
.vmptrst:
    vmptrst [guest_data]
    mov ecx, 2
.vmclear:
    vmclear [ecx*8 + 0x40]
    mov esi, 0x5e5e
    mov edi, VMCS_GUEST_RIP
.vmread_rr:
    vmread esi, edi
    mov eax, guest_data
    mov ecx, VMCS_GUEST_RIP
.vmread_mr:
    vmread [eax + 8], ecx
    mov edx, VMCS_GUEST_RIP
.vmwrite_rr:
    vmwrite edx, ebp
    mov r9, VMCS_GUEST_RIP
    mov r10, guest_data
.vmwrite_rm:
    vmwrite r9, [r10 + 4]
.vmlaunch:
    vmlaunch
.vmresume:
    vmresume
    mov r11, EPT_INVEPT_ALL_CONTEXT
    mov r12, guest_data
.invept:
    invept r11, [r12 + 0x30]
.vmxoff:
    vmxoff
.vmcall:
    vmcall
    jmp .vmcall

align 64
guest_data: times 32 dd 0
host_data:  dd 0, 0
