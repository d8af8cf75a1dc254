; nic-ring-past-ram.s - places the transmit ring itself past its RAM: the descriptors are memory it was not given.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    out PORT_NIC_TX_RING, eax
    mov eax, 4
    out PORT_NIC_TX_SIZE, eax
    mov eax, 2
    out PORT_NIC_TX_TAIL, eax
.wait:
    in eax, PORT_NIC_TX_HEAD
    cmp eax, 2
    jne .wait
    ret
attack_end:
