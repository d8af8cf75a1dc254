; guest-view.s - what a hypervisor shows its guest: CPUID, hypercalls, no
; VMX, the machine's MSRs.
;
; Prints the vendor (leaf 0), the VMX and hypervisor-present bits of leaf 1
; (ECX bits 5 and 31), the hypervisor leaf 0x40000000 (eax and the signature
; in ebx:ecx:edx, NUL bytes left out) and eax of leaf 0x80000000 (a leaf this
; machine does not have). Then, only if a hypervisor is present: hypercall 0
; and an unknown one (7), two VMX instructions (each must raise #UD: no VMX is
; offered), rdmsr of IA32_VMX_BASIC (#GP), and the time-stamp counter
; written with wrmsr and read back with rdmsr and rdtsc (its high dword, as
; written, comes back from both). The #UD and #GP handlers print the
; exception and resume at `resume`.
;
; Expected output under L1 (test/l1.test.ts):
;   vendor: smtnest CPU
;   vmx: 0
;   hypervisor: 1
;   leaf 0x40000000: eax 0x40000000 signature "smtnestL1HV "
;   leaf 0x80000000: eax 0x0
;   hypercall 0: 0x0
;   hypercall 7: 0xffffffff
;   vmxon: #UD
;   vmlaunch: #UD
;   rdmsr 0x480: #GP
;   tsc high dword after wrmsr: rdmsr 0x1 rdtsc 0x1
; and exit status 0. Bare: vmx 1, hypervisor 0, eax 0x0, signature "", and
; the lines from "hypercall" on are left out but the TSC line.
;
; Registers: eax ebx ecx edx are cpuid's and rdmsr's; esi a saved value.

%include "console.inc"
%include "format.inc"
%include "interrupts.inc"

VECTOR_UD   equ 6
VECTOR_GP   equ 13

_start:
    call interrupts_init
    mov dword [idt + VECTOR_UD*4], invalid_opcode
    mov dword [idt + VECTOR_GP*4], general_protection

    xor eax, eax
    xor ecx, ecx
    cpuid
    puts vendor_msg
    mov eax, ebx
    call print_chars
    mov eax, edx
    call print_chars
    mov eax, ecx
    call print_chars
    call print_newline

    mov eax, 1
    xor ecx, ecx
    cpuid
    mov esi, ecx
    puts vmx_msg
    mov eax, esi
    shr eax, 5
    and eax, 1
    call print_hex_short
    call print_newline
    puts hypervisor_msg
    mov eax, esi
    shr eax, 31
    mov [hypervisor], eax
    call print_hex_short
    call print_newline

    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    puts leaf_msg
    call print_hex_short
    puts signature_msg
    mov eax, ebx
    call print_chars
    mov eax, ecx
    call print_chars
    mov eax, edx
    call print_chars
    mov eax, '"'
    call print_char
    call print_newline

    mov eax, 0x80000000
    xor ecx, ecx
    cpuid
    puts extended_msg
    call print_hex_short
    call print_newline

    cmp dword [hypervisor], 0
    je .tsc

    puts hypercall0_msg
    xor eax, eax
    vmcall
    call print_hex_short
    call print_newline
    puts hypercall7_msg
    mov eax, 7
    vmcall
    call print_hex_short
    call print_newline

    puts vmxon_msg
    mov dword [resume], .after_vmxon
    vmxon [region_pointer]
    puts no_exception_msg
.after_vmxon:
    puts vmlaunch_msg
    mov dword [resume], .after_vmlaunch
    vmlaunch
    puts no_exception_msg
.after_vmlaunch:
    puts rdmsr_vmx_msg
    mov dword [resume], .tsc
    mov ecx, 0x480              ; IA32_VMX_BASIC
    rdmsr
    puts no_exception_msg

.tsc:
    mov dword [resume], unexpected_interrupt
    mov ecx, 0x10               ; IA32_TIME_STAMP_COUNTER
    mov edx, 1
    xor eax, eax
    wrmsr
    rdmsr
    mov esi, edx
    rdtsc
    puts tsc_msg
    mov eax, esi
    call print_hex_short
    puts rdtsc_msg
    mov eax, edx
    call print_hex_short
    call print_newline
    exit 0

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

vendor_msg:         db "vendor: ", 0
vmx_msg:            db "vmx: ", 0
hypervisor_msg:     db "hypervisor: ", 0
leaf_msg:           db "leaf 0x40000000: eax ", 0
signature_msg:      db " signature ", 34, 0
extended_msg:       db "leaf 0x80000000: eax ", 0
hypercall0_msg:     db "hypercall 0: ", 0
hypercall7_msg:     db "hypercall 7: ", 0
vmxon_msg:          db "vmxon: ", 0
vmlaunch_msg:       db "vmlaunch: ", 0
rdmsr_vmx_msg:      db "rdmsr 0x480: ", 0
no_exception_msg:   db "no exception", 10, 0
ud_msg:             db "#UD", 10, 0
gp_msg:             db "#GP", 10, 0
tsc_msg:            db "tsc high dword after wrmsr: rdmsr ", 0
rdtsc_msg:          db " rdtsc ", 0
unexpected_msg:     db "unexpected exception", 10, 0

align 64                        ; written at run time: keep it off code lines
hypervisor:
    dd 0
resume:
    dd 0
region_pointer:
    dd region, 0
interrupt_table VECTOR_GP + 1
align 4096
region:
    times 4096 db 0
