; cpuid.s - what CPUID tells a program about the machine it runs on.
;
; Prints the vendor (leaf 0), the VMX and hypervisor-present bits of leaf 1
; (ECX bits 5 and 31) and the hypervisor leaf 0x40000000 (eax, and the
; signature in ebx:ecx:edx, NUL bytes left out). Bare, the machine offers
; VMX and has no hypervisor leaf (it reads as zeros); under L0, VMX is
; hidden, the hypervisor bit is set and the signature is "smtnestL0HV ".
; Four cpuid instructions: under a hypervisor, four CPUID exits.
;
; Registers: eax ebx ecx edx are cpuid's; esi points at text being printed.
; Expected output at depth 1:
;   vendor: smtnest CPU
;   vmx: 0
;   hypervisor: 1
;   leaf 0x40000000: eax 0x40000000 signature "smtnestL0HV "
; and at depth 0: vmx 1, hypervisor 0, eax 0x0, signature "". Exit status 0.

%include "console.inc"
%include "format.inc"

_start:
    xor eax, eax
    xor ecx, ecx
    cpuid
    puts vendor_msg
    call print_signature        ; leaf 0 orders the vendor ebx, edx, ecx
    call print_newline

    mov eax, 1
    xor ecx, ecx
    cpuid
    mov ebx, ecx
    puts vmx_msg
    mov eax, ebx
    shr eax, 5
    and eax, 1
    call print_dec
    call print_newline
    puts hypervisor_msg
    mov eax, ebx
    shr eax, 31
    call print_dec
    call print_newline

    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    puts leaf_msg
    call print_hex_short
    puts signature_msg
    xchg ecx, edx               ; print_signature prints ebx, edx, ecx
    call print_signature
    mov eax, '"'
    call print_char
    call print_newline

    ; The hypervisor leaf asked again, to count exits: four cpuid in all.
    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    exit 0

; print_signature: the bytes of ebx, edx, ecx in that order, skipping NULs.
print_signature:
    push eax
    mov eax, ebx
    call print_chars
    mov eax, edx
    call print_chars
    mov eax, ecx
    call print_chars
    pop eax
    ret

vendor_msg:
    db "vendor: ", 0
vmx_msg:
    db "vmx: ", 0
hypervisor_msg:
    db "hypervisor: ", 0
leaf_msg:
    db "leaf 0x40000000: eax ", 0
signature_msg:
    db " signature ", 34, 0
