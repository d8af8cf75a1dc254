; cmpxchg-past-ram.s - a compare-exchange of memory past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    xor eax, eax
    mov ecx, 0x41414141
    cmpxchg [esi + 4], ecx
    ret
attack_end:
