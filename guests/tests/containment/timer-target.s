; timer-target.s - aims the timer's interrupts at another hardware thread.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 2
    out PORT_TIMER_TARGET, eax
    ret
attack_end:
