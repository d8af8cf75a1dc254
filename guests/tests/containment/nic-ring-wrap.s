; nic-ring-wrap.s - a transmit ring at the top of the 32-bit space, its descriptors wrapping to address 0.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0xffffffe0
    out PORT_NIC_TX_RING, eax
    mov eax, 8
    out PORT_NIC_TX_SIZE, eax
    mov eax, 4
    out PORT_NIC_TX_TAIL, eax
.wait:
    in eax, PORT_NIC_TX_HEAD
    cmp eax, 4
    jne .wait
    ret
attack_end:
