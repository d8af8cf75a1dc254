; rdmsr-unknown.s - reads an MSR that does not exist (0xc0000080).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 0xc0000080
    rdmsr
.after:
    ret
attack_end:
