; vmxon.s - executes vmxon: a guest that is not a hypervisor gets #UD.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    vmxon [region]
.after:
    ret
region: dd 0x1000, 0
attack_end:
