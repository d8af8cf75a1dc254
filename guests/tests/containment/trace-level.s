; trace-level.s - writes the tracepoint port to claim its instructions belong to another level.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0
    out PORT_TRACE_LEVEL, eax
    mov eax, 200
    out PORT_TRACE_LEVEL, eax
    ret
attack_end:
