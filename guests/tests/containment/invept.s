; invept.s - executes invept to flush its hypervisor's translations.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 2
    invept ecx, [desc]
.after:
    ret
desc: dd 0, 0, 0, 0
attack_end:
