; idt-past-ram.s - points its interrupt table past its RAM, then raises an interrupt.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov [bad_idt], esi
    lidt [bad_idt]
    int 0x30
bad_idt: dd 0, 256
    ret
attack_end:
