; bench/alu.s for Bochs (nasm): a boot sector running the same four-instruction
; loop in real mode with 32-bit operands, then Bochs's shutdown port (0x8900).
; Built twice by bench/bochs.ts, with ITERATIONS small and large, so that the
; BIOS's instructions and Bochs's start-up cancel out of the measurement.
bits 16
org 0x7c00
    cli
    mov ecx, ITERATIONS
    xor eax, eax
loop:
    add eax, ecx
    xor eax, 0x5a5a5a5a
    dec ecx
    jnz loop
%include "shutdown.inc"
