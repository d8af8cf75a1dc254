; no-vmx.s - a guest of L0 has no VMX, and the machine's MSRs as a CPU
; without VMX would show them.
;
; L0 does not emulate VMX for its guest (its CPUID clears the VMX bit), so
; every VMX instruction must raise #UD in the guest, as on a CPU without
; VMX, and the VMX capability MSRs must not exist (#GP). The time-stamp
; counter MSR works. Each attempt sets `resume` to where the program goes
; on; the #UD and #GP handlers print which exception came and iret there.
; Only meaningful under L0: bare, the machine has VMX (and vmcall, outside
; VMX operation, is a #UD that ends the program).
;
; Registers: eax edx ecx as rdmsr uses them; the handlers print and resume.
; Expected output:
;   vmxon: #UD
;   vmread: #UD
;   vmcall 99: 0xffffffff      (vmcall is the hypercall instruction; 99 is unknown)
;   rdmsr 0x480: #GP
;   rdmsr 0x10: ok
; and exit status 0.

%include "console.inc"

VECTOR_UD equ 6
VECTOR_GP equ 13
IDT_ENTRIES equ 14

_start:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + VECTOR_UD*4], invalid_opcode
    mov dword [idt + VECTOR_GP*4], general_protection
    lidt [idt_descriptor]

    puts vmxon_msg
    mov dword [resume], .after_vmxon
    vmxon [region_pointer]
    puts no_exception_msg
.after_vmxon:
    puts vmread_msg
    mov dword [resume], .after_vmread
    vmread eax, ecx
    puts no_exception_msg
.after_vmread:
    mov dword [resume], not_under_a_hypervisor
    mov eax, 99
    vmcall
    puts vmcall_msg
    call print_hex
    call print_newline

    puts rdmsr_vmx_msg
    mov dword [resume], .after_rdmsr_vmx
    mov ecx, 0x480              ; IA32_VMX_BASIC
    rdmsr
    puts no_exception_msg
.after_rdmsr_vmx:
    puts rdmsr_tsc_msg
    mov dword [resume], .after_rdmsr_tsc
    mov ecx, 0x10               ; IA32_TIME_STAMP_COUNTER
    rdmsr
    puts ok_msg
    exit 0
.after_rdmsr_tsc:
    exit 1

invalid_opcode:
    puts ud_msg
    jmp resume_after_exception
general_protection:
    puts gp_msg
resume_after_exception:
    ; The exception pushed eflags and the faulting eip; return elsewhere.
    push eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    iret

unexpected:
    puts unexpected_msg
    exit 1

not_under_a_hypervisor:
    puts bare_msg
    exit 1

vmxon_msg:
    db "vmxon: ", 0
vmread_msg:
    db "vmread: ", 0
vmcall_msg:
    db "vmcall 99: 0x", 0
rdmsr_vmx_msg:
    db "rdmsr 0x480: ", 0
rdmsr_tsc_msg:
    db "rdmsr 0x10: ", 0
ud_msg:
    db "#UD", 10, 0
gp_msg:
    db "#GP", 10, 0
ok_msg:
    db "ok", 10, 0
no_exception_msg:
    db "no exception", 10, 0
unexpected_msg:
    db "unexpected interrupt or exception", 10, 0
bare_msg:
    db "vmcall raised #UD: no hypervisor below this program", 10, 0

align 64
resume:
    dd 0
region_pointer:
    dd region, 0
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
align 4096
region:
    times 4096 db 0
