; wrmsr-feature-control.s - writes IA32_FEATURE_CONTROL (0x3a).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 0x3a
    xor eax, eax
    xor edx, edx
    wrmsr
.after:
    ret
attack_end:
