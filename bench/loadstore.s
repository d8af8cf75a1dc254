; Load/store loop: walks a 4 KiB buffer, reading, updating and writing back
; one dword per iteration (esi is the offset, wrapped with a mask).
%include "ports.inc"
ITERATIONS equ 25000000

_start:
    mov ecx, ITERATIONS
    xor esi, esi
    xor eax, eax
loop:
    mov edx, [buffer + esi]
    add edx, ecx
    mov [buffer + esi], edx
    add eax, edx
    add esi, 4
    and esi, 0xffc
    dec ecx
    jnz loop
    out PORT_DEBUG_EXIT, eax

align 4096
buffer:
    times 1024 dd 0
