; Call/ret loop: a call to a small leaf function per iteration, with its
; return address on the stack, as a compiled program's calls would be.
%include "ports.inc"
ITERATIONS equ 20000000

_start:
    mov ecx, ITERATIONS
    xor eax, eax
loop:
    call leaf
    dec ecx
    jnz loop
    out PORT_DEBUG_EXIT, eax

leaf:
    add eax, ecx
    ret
