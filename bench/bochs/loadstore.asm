; bench/loadstore.s for Bochs (nasm): the same eight-instruction loop over a
; 4 KiB buffer at 0x8000, then Bochs's shutdown port (see alu.asm).
bits 16
org 0x7c00
    cli
    xor ax, ax
    mov ds, ax
    mov ecx, ITERATIONS
    xor esi, esi
    xor eax, eax
loop:
    mov edx, [esi + 0x8000]
    add edx, ecx
    mov [esi + 0x8000], edx
    add eax, edx
    add esi, 4
    and esi, 0xffc
    dec ecx
    jnz loop
%include "shutdown.inc"
