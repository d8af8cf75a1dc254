; rdtreg.s - reads a register of another hardware thread (the hw mode's extension).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    xor ecx, ecx
    rdtreg eax, ecx
.after:
    ret
attack_end:
