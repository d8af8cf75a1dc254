; thread-id.s - reads which hardware thread it runs on.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    in eax, PORT_THREAD_ID
    ret
attack_end:
