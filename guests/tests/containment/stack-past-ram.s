; stack-past-ram.s - moves its stack past its RAM and pushes.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esp, [ram_size]
    add esp, 0x1000
    push eax
    ret
attack_end:
