; rdmsr-vmx-basic.s - reads IA32_VMX_BASIC (0x480): its hypervisor offers it no VMX.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 0x480
    rdmsr
.after:
    ret
attack_end:
