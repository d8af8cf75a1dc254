; trace-forward-flood.s - writes the trace-forward port 10,000 times (before, each write grew the emulator's exit records).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov ecx, 10000
.next:
    mov eax, 10 | (2 << 16) | (1 << 24)
    out PORT_TRACE_FORWARD, eax
    dec ecx
    jnz .next
    ret
attack_end:
