; io_msr_exits.s - I/O and MSR exits (docs/vmx.md, "What exits" and "Exit
; information"): in/out with unconditional I/O exiting or the I/O bitmaps
; (qualification: port, size, direction, immediate or register port;
; VMX_INSTRUCTION_INFO: reg1 the data register, reg2 the port register);
; rdmsr/wrmsr without MSR bitmaps, and with them in each of the four
; quarters, and outside the bitmap ranges.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- I/O with unconditional I/O exiting
    mov ebx, g_io
    mov ecx, PROC_UNCONDITIONAL_IO_EXITING
    call enter_guest
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_io.out_imm, "out imm, r with unconditional I/O exiting exits with IO_INSTRUCTION (30)"
    expect_field VMCS_EXIT_QUALIFICATION, (0x1234 << IO_QUAL_PORT_SHIFT) | IO_QUAL_PORT_IMMEDIATE | IO_QUAL_SIZE_4, "out 0x1234, ecx: qualification port 0x1234, immediate, out, 4 bytes"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 8, "out imm, r: VM_EXIT_INSTRUCTION_LEN 8"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, 0xf << INSN_INFO_REG1_SHIFT, REG_ECX << INSN_INFO_REG1_SHIFT, "out 0x1234, ecx: VMX_INSTRUCTION_INFO reg1 = ecx"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_io.in_imm, "in r, imm exits"
    expect_field VMCS_EXIT_QUALIFICATION, (0x5678 << IO_QUAL_PORT_SHIFT) | IO_QUAL_PORT_IMMEDIATE | IO_QUAL_DIRECTION_IN | IO_QUAL_SIZE_4, "in edx, 0x5678: qualification port 0x5678, immediate, in, 4 bytes"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, 0xf << INSN_INFO_REG1_SHIFT, REG_EDX << INSN_INFO_REG1_SHIFT, "in edx, 0x5678: VMX_INSTRUCTION_INFO reg1 = edx"
    expect_eq [guest_regs + 4*REG_EDX], 0x0dd, "the exiting in did not write its destination"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_io.out_reg, "out r, r exits"
    expect_field VMCS_EXIT_QUALIFICATION, (0x9abc << IO_QUAL_PORT_SHIFT) | IO_QUAL_SIZE_4, "out esi, edi (esi = 0x10009abc): qualification port 0x9abc, register, out, 4 bytes"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "out r, r: VM_EXIT_INSTRUCTION_LEN 4"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, (0xf << INSN_INFO_REG1_SHIFT) | (0xf << INSN_INFO_REG2_SHIFT), (REG_EDI << INSN_INFO_REG1_SHIFT) | (REG_ESI << INSN_INFO_REG2_SHIFT), "out esi, edi: VMX_INSTRUCTION_INFO reg1 = edi (data), reg2 = esi (port)"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_io.in_reg, "in r, r exits"
    expect_field VMCS_EXIT_QUALIFICATION, (0x4321 << IO_QUAL_PORT_SHIFT) | IO_QUAL_DIRECTION_IN | IO_QUAL_SIZE_4, "in eax, ebx (ebx = 0x4321): qualification port 0x4321, register, in, 4 bytes"
    expect_field_bits VMCS_VMX_INSTRUCTION_INFO, (0xf << INSN_INFO_REG1_SHIFT) | (0xf << INSN_INFO_REG2_SHIFT), (REG_EAX << INSN_INFO_REG1_SHIFT) | (REG_EBX << INSN_INFO_REG2_SHIFT), "in eax, ebx: VMX_INSTRUCTION_INFO reg1 = eax (data), reg2 = ebx (port)"

    ; ---- I/O bitmaps: port 0x80 in bitmap A, port 0x8001 in bitmap B
    mov dword [IO_BITMAP_A_PAGE + 0x80 / 8], 1 << (0x80 % 8)
    mov dword [IO_BITMAP_B_PAGE + 0x0001 / 8], 1 << (0x0001 % 8)
    mov ebx, g_iobitmap
    mov ecx, PROC_USE_IO_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_iobitmap.out80, "with I/O bitmaps, port 0x81 (bit clear) runs; port 0x80 (bit set in A) exits"
    expect_field VMCS_EXIT_QUALIFICATION, (0x80 << IO_QUAL_PORT_SHIFT) | IO_QUAL_PORT_IMMEDIATE | IO_QUAL_SIZE_4, "out 0x80: qualification port 0x80"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_iobitmap.in8001, "port 0x8000 (bit clear in B) runs; port 0x8001 (bit set in B) exits"
    expect_eq [guest_regs + 4*REG_ESI], 0xffffffff, "the guest's in from port 0x8000 read the unclaimed port (all ones)"
    mov dword [IO_BITMAP_A_PAGE + 0x80 / 8], 0
    mov dword [IO_BITMAP_B_PAGE + 0x0001 / 8], 0

    ; ---- MSRs
    mov ebx, g_msr
    mov ecx, 0
    call enter_guest
    expect_exit EXIT_REASON_MSR_READ, g_msr.rdmsr, "rdmsr without MSR bitmaps exits with MSR_READ (31)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "rdmsr: VM_EXIT_INSTRUCTION_LEN 4"
    expect_eq [guest_regs + 4*REG_ECX], 0x10, "the host sees the MSR index in the guest's ecx"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_MSR_WRITE, g_msr.wrmsr, "wrmsr without MSR bitmaps exits with MSR_WRITE (32)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "wrmsr: VM_EXIT_INSTRUCTION_LEN 4"

    ; MSR bitmap all clear: rdmsr and wrmsr of 0x10 run in the guest
    mov ebx, g_msr
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_VMCALL, g_msr.vmcall, "with MSR bitmaps and clear bits, rdmsr and wrmsr of 0x10 run in the guest"
    ; read bit of 0x10 (read-low quarter at 0)
    mov dword [MSR_BITMAP_PAGE + 0x10 / 8], 1 << (0x10 % 8)
    mov ebx, g_msr
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_MSR_READ, g_msr.rdmsr, "the read bit of MSR 0x10 set: rdmsr exits"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_msr.vmcall, "its write bit clear: wrmsr runs"
    mov dword [MSR_BITMAP_PAGE + 0x10 / 8], 0
    ; write bit of 0x10 (write-low quarter at 0x800)
    mov dword [MSR_BITMAP_PAGE + 0x800 + 0x10 / 8], 1 << (0x10 % 8)
    mov ebx, g_msr
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_MSR_WRITE, g_msr.wrmsr, "the write bit of MSR 0x10 set: rdmsr runs, wrmsr exits"
    mov dword [MSR_BITMAP_PAGE + 0x800 + 0x10 / 8], 0
    ; outside both ranges: always exits
    mov ebx, g_msr_far
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_MSR_READ, g_msr_far.rdmsr, "rdmsr of 0x40000000 (outside the bitmap ranges) exits with MSR_READ"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_MSR_WRITE, g_msr_far.wrmsr, "wrmsr of 0x40000000 exits with MSR_WRITE"
    ; the high range 0xC0000000-0xC0001FFF: read-high quarter at 0x400
    mov dword [MSR_BITMAP_PAGE + 0x400 + 0x80 / 8], 1 << (0x80 % 8)
    mov ebx, g_msr_high
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps
    expect_exit EXIT_REASON_MSR_READ, g_msr_high.rdmsr, "rdmsr of 0xC0000080 with its bit set in the read-high quarter exits"
    mov dword [MSR_BITMAP_PAGE + 0x400 + 0x80 / 8], 0
    mov ebx, g_msr_high
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps_gp
    expect_exit EXIT_REASON_EXCEPTION_NMI, g_msr_high.rdmsr, "with that bit clear rdmsr runs in the guest, where the unknown MSR raises #GP"
    expect_field_bits VMCS_VM_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK, INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 13, "VM_EXIT_INTR_INFO: hardware exception 13"
    ; write-high quarter at 0xC00
    mov dword [MSR_BITMAP_PAGE + 0xc00 + 0x80 / 8], 1 << (0x80 % 8)
    mov ebx, g_msr_high_write
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps_gp
    expect_exit EXIT_REASON_MSR_WRITE, g_msr_high_write.wrmsr, "wrmsr of 0xC0000080 with its bit set in the write-high quarter exits"
    mov dword [MSR_BITMAP_PAGE + 0xc00 + 0x80 / 8], 0
    mov ebx, g_msr_high_write
    mov ecx, PROC_USE_MSR_BITMAPS
    call enter_guest_bitmaps_gp
    expect_exit EXIT_REASON_EXCEPTION_NMI, g_msr_high_write.wrmsr, "with that bit clear wrmsr runs in the guest and raises #GP"
    done

; ---- helpers ------------------------------------------------------------------------

enter_guest:                    ; ebx = guest entry, ecx = primary controls: eax = exit reason
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, ecx
    mov dword [guest_regs + 4*REG_EAX], 1
    mov dword [guest_regs + 4*REG_EDX], 0x0dd
    call guest_run
    ret

enter_guest_bitmaps:            ; enter_guest with the I/O and MSR bitmap addresses written
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, ecx
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE
    vmw VMCS_IO_BITMAP_B, IO_BITMAP_B_PAGE
    vmw VMCS_MSR_BITMAP, MSR_BITMAP_PAGE
    call guest_run
    ret

enter_guest_bitmaps_gp:         ; enter_guest_bitmaps, #GP exiting
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, ecx
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE
    vmw VMCS_IO_BITMAP_B, IO_BITMAP_B_PAGE
    vmw VMCS_MSR_BITMAP, MSR_BITMAP_PAGE
    vmw VMCS_EXCEPTION_BITMAP, 1 << 13
    call guest_run
    ret

; ---- guests ---------------------------------------------------------------------------

g_io:
    mov ecx, 0x11
.out_imm:
    out 0x1234, ecx
.in_imm:
    in edx, 0x5678
    mov esi, 0x10009abc         ; a port register counts with its low 16 bits
.out_reg:
    out esi, edi
    mov ebx, 0x4321
.in_reg:
    in eax, ebx
    vmcall
g_iobitmap:
    out 0x81, eax
.out80:
    out 0x80, eax
    in esi, 0x8000
.in8001:
    in eax, 0x8001
    vmcall
g_msr:
    mov ecx, 0x10
.rdmsr:
    rdmsr
.wrmsr:
    wrmsr
.vmcall:
    vmcall
g_msr_far:
    mov ecx, 0x40000000
.rdmsr:
    rdmsr
.wrmsr:
    wrmsr
    vmcall
g_msr_high:
    mov ecx, 0xc0000080
.rdmsr:
    rdmsr
    vmcall
g_msr_high_write:
    mov ecx, 0xc0000080
.wrmsr:
    wrmsr
    vmcall
