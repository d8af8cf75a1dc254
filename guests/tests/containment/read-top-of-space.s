; read-top-of-space.s - reads the last page of the 32-bit space, far above any RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [0xfffff000]
    ret
attack_end:
