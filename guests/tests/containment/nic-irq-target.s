; nic-irq-target.s - aims its virtual NIC's interrupts at another hardware thread: recorded, its interrupts still come to its own vCPU.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 2
    out PORT_NIC_IRQ_TARGET, eax
    in eax, PORT_NIC_IRQ_TARGET
    ret
attack_end:
