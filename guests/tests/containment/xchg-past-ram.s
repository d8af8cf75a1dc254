; xchg-past-ram.s - an atomic exchange with memory past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov eax, 0x41414141
    xchg [esi], eax
    ret
attack_end:
