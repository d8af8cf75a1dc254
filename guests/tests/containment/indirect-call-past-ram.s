; indirect-call-past-ram.s - calls through a pointer read from past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    call [esi + 8]
    ret
attack_end:
