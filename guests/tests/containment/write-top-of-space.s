; write-top-of-space.s - writes the last dword of the 32-bit space.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov dword [0xfffffffc], 0x41414141
    ret
attack_end:
