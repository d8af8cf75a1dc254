; byte-past-ram.s - a byte store one past the last byte of the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov byte [esi], 0x41
    ret
attack_end:
