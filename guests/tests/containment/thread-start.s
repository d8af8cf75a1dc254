; thread-start.s - starts another hardware thread of the core.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 1
    out PORT_THREAD_START, eax
    ret
attack_end:
