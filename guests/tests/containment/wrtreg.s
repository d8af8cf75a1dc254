; wrtreg.s - writes a register of another hardware thread.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 16
    mov eax, 0
    wrtreg ecx, eax
.after:
    ret
attack_end:
