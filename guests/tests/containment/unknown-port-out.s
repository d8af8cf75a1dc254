; unknown-port-out.s - writes a port no device of its was given (0x80, POST codes on a PC).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0x41
    out 0x80, eax
    ret
attack_end:
