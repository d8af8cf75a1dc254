; fetch-past-ram.s - jumps to the first address past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    jmp esi
    ret
attack_end:
