; thread-start-eip.s - sets where the next started hardware thread begins.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, attack
    out PORT_THREAD_START_EIP, eax
    ret
attack_end:
