; ALU loop: the four-instruction loop whose speed Bochs and QEMU are quoted at.
; ecx counts down the iterations; eax accumulates. Exits with eax's low byte.
%include "ports.inc"
ITERATIONS equ 50000000

_start:
    mov ecx, ITERATIONS
    xor eax, eax
loop:
    add eax, ecx
    xor eax, 0x5a5a5a5a
    dec ecx
    jnz loop
    out PORT_DEBUG_EXIT, eax
