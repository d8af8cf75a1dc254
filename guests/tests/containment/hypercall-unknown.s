; hypercall-unknown.s - makes a hypercall its hypervisor does not have (number 0x7fffffff).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0x7fffffff
    vmcall
    cmp eax, -1
    je .ok
    exit 3
.ok:
    ret
attack_end:
