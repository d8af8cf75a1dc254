; bench/callret.s for Bochs (nasm): a call to a two-instruction leaf per
; iteration, then Bochs's shutdown port (see alu.asm).
bits 16
org 0x7c00
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ecx, ITERATIONS
    xor eax, eax
loop:
    call leaf
    dec ecx
    jnz loop
    jmp done
leaf:
    add eax, ecx
    ret
done:
%include "shutdown.inc"
