; vmptrld.s - executes vmptrld at its hypervisor's VMCS address.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    vmptrld [region]
.after:
    ret
region: dd 0x2000, 0
attack_end:
