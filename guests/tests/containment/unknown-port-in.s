; unknown-port-in.s - reads a port no device of its was given.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov edx, 0xcf8
    in eax, edx
    ret
attack_end:
