; handler-past-ram.s - gives a vector a handler address past its RAM, then raises it.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov [idt + 0x30*4], esi
    int 0x30
    ret
attack_end:
