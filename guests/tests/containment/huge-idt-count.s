; huge-idt-count.s - an interrupt table with 2^32-1 entries at the top of its RAM: vector 0xff's entry is past it.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    sub esi, 16
    mov [bad_idt], esi
    lidt [bad_idt]
    int 0xff
bad_idt: dd 0, 0xffffffff
    ret
attack_end:
